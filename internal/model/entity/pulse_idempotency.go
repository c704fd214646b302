package entity

// PulseIdempotency is a row of table pulse_idempotency.
type PulseIdempotency struct {
	Scope      string `json:"scope"      orm:"scope"`
	IdemKey    string `json:"idemKey"    orm:"idem_key"`
	BodySha256 string `json:"bodySha256" orm:"body_sha256"`
	Answer     string `json:"answer"     orm:"answer"`
	CreatedMs  int64  `json:"createdMs"  orm:"created_ms"`
}

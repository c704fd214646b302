package hub

// Key names what a connection follows, or what a publish addresses.
//
// As a subscription, Type and ID are both set; ID may be model.Wildcard.
// As a publish address, an empty ID addresses the whole type and an empty Type addresses everyone.
type Key struct {
	Type string
	ID   string
}

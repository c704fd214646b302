package webpush

import (
	"crypto/sha256"
	"encoding/base64"
)

// Topic is the Topic header of an alarm's messages: the first 32 characters of
// base64url(SHA-256("businessType/businessId/alarmId")). A push service keeps only the latest
// undelivered message of a topic, so a phone that was offline shows one notification per alarm.
// 32 characters is RFC 8030's limit, and within APNs' apns-collapse-id limit too.
func Topic(businessType, businessID, alarmID string) string {
	sum := sha256.Sum256([]byte(businessType + "/" + businessID + "/" + alarmID))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:32]
}

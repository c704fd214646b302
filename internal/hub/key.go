package hub

// Wildcard as a subscription's ID follows every ID of its type.
const Wildcard = "*"

// Key names what a connection follows, or what a publish addresses.
//
// As a subscription, Type and ID are both set; ID may be Wildcard.
// As a publish address, an empty ID addresses the whole type and an empty Type addresses everyone.
type Key struct {
	Type string
	ID   string
}

package hub

// ringList is a list of snapshot rings, most recently published first, linked through the rings
// themselves: moving a ring to the front on each publish allocates nothing. A ring is in two lists
// at once, every key's (snapshots.all) and its type's (typeAccount.rings); which says whose links
// this list uses.
type ringList struct {
	newest, oldest *snapshotRing
	len            int
	which          int // allList or typeList
}

const (
	allList = iota
	typeList
)

// ringLinks place a ring in one list.
type ringLinks struct{ newer, older *snapshotRing }

func (l *ringList) links(r *snapshotRing) *ringLinks { return &r.links[l.which] }

// pushFront puts r, in no list of this kind yet, at the front.
func (l *ringList) pushFront(r *snapshotRing) {
	*l.links(r) = ringLinks{older: l.newest}
	if l.newest != nil {
		l.links(l.newest).newer = r
	} else {
		l.oldest = r
	}
	l.newest = r
	l.len++
}

// remove takes r out of the list.
func (l *ringList) remove(r *snapshotRing) {
	at := l.links(r)
	if at.newer != nil {
		l.links(at.newer).older = at.older
	} else {
		l.newest = at.older
	}
	if at.older != nil {
		l.links(at.older).newer = at.newer
	} else {
		l.oldest = at.newer
	}
	*at = ringLinks{}
	l.len--
}

// moveToFront makes r, in the list, its newest.
func (l *ringList) moveToFront(r *snapshotRing) {
	if l.newest != r {
		l.remove(r)
		l.pushFront(r)
	}
}

// older is the ring published before r in this list, nil after the oldest.
func (l *ringList) older(r *snapshotRing) *snapshotRing { return l.links(r).older }

package alarm

import (
	"encoding/json"
	"strings"

	"github.com/pulse-monitoring/pulse/internal/dao"
	"github.com/pulse-monitoring/pulse/internal/idempotency"
	"github.com/pulse-monitoring/pulse/internal/model"
)

// The alarm store keeps the Idempotency-Key of every raise that carried one (pulse_idempotency),
// with the receipts it was answered with, in the transaction of the alarms it raised: a retry
// finds it whatever happened to the first answer (a timeout, a restart, another node took the
// retry). A commit checks the keys of its requests before anything else (claimKeys): a key stored
// within the window answers its request with the stored receipts and nothing of that request is
// applied; then it stores the keys of the requests it applied (keepAnswers).

// claim is a raise request that carried an Idempotency-Key, and what its commit made of it.
type claim struct {
	key idempotency.Key
	ops []*op // the request's raises, contiguous in the group

	// Set by the commit.
	fresh    bool   // no answer stored: the ops are applied and their receipts stored
	stale    bool   // fresh, over an answer older than the window (still stored: replaced)
	replayed bool   // answered with a stored answer (or an earlier request of the group): not applied
	replayOf *claim // the earlier request of the group with the same key
	answer   []byte // the receipts as JSON: stored by this commit, or found stored
	err      error  // the key was stored with another body (1422): not applied
}

// keyID is what makes two requests the same request: the credential and the key.
type keyID struct{ scope, name string }

func (c *claim) id() keyID { return keyID{c.key.Scope, c.key.Name} }

// storedKey is a row of pulse_idempotency.
type storedKey struct {
	sum     string
	answer  []byte
	created int64
}

// insertKeys is the statement that stores the keys a commit applied.
var insertKeys = func() multiRow {
	c := dao.PulseIdempotency.Columns()
	return multiRow{
		head: "INSERT INTO " + dao.PulseIdempotency.Table() + " (" + strings.Join([]string{c.Scope, c.IdemKey, c.BodySha256, c.Answer, c.CreatedMs}, ", ") + ") VALUES ",
		sep:  ", ", open: "(", close: ")", cols: 5,
	}
}()

// claimKeys decides, for each claim among ops, whether its ops are applied, and returns the ops
// to apply and the claims. A key stored within the window with the same body is a replay, with
// another body a refusal; so is a key that an earlier request of the same group carries (the
// ingest service refuses such a repeat while the first is in flight, but the store does not rely
// on it). now is the commit's time (server unix ms).
func (t storeTx) claimKeys(ops []*op, now int64) ([]*op, []*claim, error) {
	var claims []*claim
	for _, o := range ops {
		if o.claim != nil && (len(claims) == 0 || claims[len(claims)-1] != o.claim) {
			claims = append(claims, o.claim)
		}
	}
	if len(claims) == 0 {
		return ops, nil, nil
	}
	stored, err := t.storedKeys(claims)
	if err != nil {
		return nil, nil, err
	}
	cutoff := now - t.store.keyWindow.Milliseconds()
	first := make(map[keyID]*claim, len(claims))
	skipped := false
	for _, c := range claims {
		*c = claim{key: c.key, ops: c.ops} // a commit that failed may have decided before
		s, found := stored[c.id()]
		switch {
		case found && s.created >= cutoff && s.sum != c.key.SumHex():
			c.err = idempotency.Reused(c.key)
		case found && s.created >= cutoff:
			c.answer, c.replayed = s.answer, true
		case first[c.id()] != nil && first[c.id()].key.Sum != c.key.Sum:
			c.err = idempotency.Reused(c.key)
		case first[c.id()] != nil:
			c.replayOf = first[c.id()]
		default:
			c.fresh, c.stale = true, found
			first[c.id()] = c
			continue
		}
		skipped = true
	}
	if !skipped {
		return ops, claims, nil
	}
	applied := make([]*op, 0, len(ops))
	for _, o := range ops {
		if o.claim == nil || o.claim.fresh {
			applied = append(applied, o)
		}
	}
	return applied, claims, nil
}

// storedKeys reads the stored keys of claims: those of each statement's scopes and names (a few
// more rows than asked for, when a name is stored under another of the scopes, are left out).
func (t storeTx) storedKeys(claims []*claim) (map[keyID]storedKey, error) {
	c := dao.PulseIdempotency.Columns()
	out := make(map[keyID]storedKey, len(claims))
	per := max(t.sql.maxArgs/2, 1)
	for len(claims) > 0 {
		n := min(len(claims), per)
		var scopes, names []any
		seen := make(map[string]bool, n)
		for _, cl := range claims[:n] {
			if !seen[cl.key.Scope] {
				seen[cl.key.Scope] = true
				scopes = append(scopes, cl.key.Scope)
			}
			names = append(names, cl.key.Name)
		}
		query := "SELECT " + strings.Join([]string{c.Scope, c.IdemKey, c.BodySha256, c.Answer, c.CreatedMs}, ", ") +
			" FROM " + dao.PulseIdempotency.Table() + " WHERE " + c.Scope + " IN (" + t.placeholders(1, len(scopes)) +
			") AND " + c.IdemKey + " IN (" + t.placeholders(len(scopes)+1, len(names)) + ")"
		rows, err := t.tx.QueryContext(t.ctx, query, append(scopes, names...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var (
				id keyID
				s  storedKey
			)
			if err := rows.Scan(&id.scope, &id.name, &s.sum, &s.answer, &s.created); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = s
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		claims = claims[n:]
	}
	return out, nil
}

// placeholders is n parameters numbered from first, separated by commas.
func (t storeTx) placeholders(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.sql.placeholder(first + i))
	}
	return b.String()
}

// keepAnswers gives each claim its answer once the ops are applied (their seqs known), and stores
// the keys of the applied ones.
func (t storeTx) keepAnswers(claims []*claim, now int64) error {
	var fresh []*claim
	for _, c := range claims {
		switch {
		case c.fresh:
			answer, err := json.Marshal(receiptsOf(c.ops))
			if err != nil {
				return err
			}
			c.answer = answer
			fresh = append(fresh, c)
		case c.replayOf != nil:
			c.answer, c.replayed = c.replayOf.answer, true
		}
	}
	cols := dao.PulseIdempotency.Columns()
	for _, c := range fresh {
		if c.stale { // rare: a key used again after its window, before the purge deleted it
			del := "DELETE FROM " + dao.PulseIdempotency.Table() + " WHERE " + cols.Scope + " = " + t.sql.placeholder(1) +
				" AND " + cols.IdemKey + " = " + t.sql.placeholder(2)
			if _, err := t.tx.ExecContext(t.ctx, del, c.key.Scope, c.key.Name); err != nil {
				return err
			}
		}
	}
	args := make([]any, 0, insertKeys.cols*t.sql.rows(insertKeys, len(fresh)))
	for len(fresh) > 0 {
		n := t.sql.rows(insertKeys, len(fresh))
		args = args[:0]
		for _, c := range fresh[:n] {
			args = append(args, c.key.Scope, c.key.Name, c.key.SumHex(), string(c.answer), now)
		}
		if _, err := t.tx.ExecContext(t.ctx, t.sql.build(insertKeys, n), args...); err != nil {
			return err
		}
		fresh = fresh[n:]
	}
	return nil
}

// receiptsOf is what a raise of ops answers, once committed: each alarm's id and seq, in order
// (Raise's answer, and the answer a key keeps).
func receiptsOf(ops []*op) []model.AlarmReceipt {
	out := make([]model.AlarmReceipt, len(ops))
	for i, o := range ops {
		out[i] = model.AlarmReceipt{AlarmId: o.key.AlarmId, Seq: o.seq}
	}
	return out
}

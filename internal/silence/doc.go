// Package silence is what a silence is and which alarms it holds back: matchers (businesses,
// levels, alarm ids, text), a time window, and who set it and why. It stores nothing and knows no
// HTTP: the alarm store keeps silences in its tables and commits what they do to alarms (the
// silenced and unsilenced events), and the notification dispatcher asks a Set whether an alarm is
// silenced (Set implements notify's Silencer).
//
// The rules:
//   - matchers of different fields all apply (AND), values of one field any (OR); an empty field
//     matches every alarm; at least one field is given;
//   - text is a case-insensitive substring of the alarm's title or content (Go's Unicode lowering,
//     as the alarm list's q);
//   - a silence is active from StartsAt (inclusive) to EndsAt (exclusive); one "until cleared"
//     (shelving one alarm) has no EndsAt: it ends when its alarm is cleared, or when deleted;
//   - a business pattern of a silence is within the creator's alarms patterns, so that nobody
//     silences alarms they cannot see.
package silence

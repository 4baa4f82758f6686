package replica

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"switchboard/inbox"
	"switchboard/wire"
)

// Templates returns the quick replies an operator may use: the team's and
// its own (the server sends no one else's; the check guards a replica
// whose owner changed). A non-empty query keeps those whose title or text
// holds every word of it, compared as search compares (case and ё/е
// folded); titles that start with the query come first, then titles that
// hold it, then texts, each by title.
func (rp *Replica) Templates(ctx context.Context, operatorID, query string) ([]inbox.Template, error) {
	const q = `SELECT data FROM entities WHERE kind = ?`
	rows, err := rp.r.QueryContext(ctx, q, wire.KindTemplate)
	if err != nil {
		return nil, sqlError(q, err)
	}
	all, err := scanJSON[inbox.Template](rows, q)
	if err != nil {
		return nil, err
	}
	fq := fold(strings.TrimSpace(query))
	words := strings.FieldsFunc(fq, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	type hit struct {
		t     inbox.Template
		rank  int
		title string
	}
	var hits []hit
	for _, t := range all {
		if !t.VisibleTo(operatorID) {
			continue
		}
		title := fold(t.Title)
		rank, ok := templateRank(title, fold(t.Text), fq, words)
		if ok {
			hits = append(hits, hit{t, rank, title})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if c := strings.Compare(a.title, b.title); c != 0 {
			return c
		}
		return strings.Compare(a.t.ID, b.t.ID)
	})
	out := make([]inbox.Template, len(hits))
	for i, h := range hits {
		out[i] = h.t
	}
	return out, nil
}

// templateRank says whether a template (its folded title and text)
// matches a folded query and its words, and how well: 0 the title starts
// with the query, 1 the title holds every word, 2 the title and text do.
func templateRank(title, text, query string, words []string) (int, bool) {
	if len(words) == 0 || strings.HasPrefix(title, query) {
		return 0, true
	}
	inTitle, inBoth := true, true
	for _, w := range words {
		t := strings.Contains(title, w)
		inTitle = inTitle && t
		inBoth = inBoth && (t || strings.Contains(text, w))
	}
	switch {
	case inTitle:
		return 1, true
	case inBoth:
		return 2, true
	}
	return 0, false
}

// Template returns one template; the error wraps inbox.ErrNotFound when the
// replica does not hold it.
func (rp *Replica) Template(ctx context.Context, id string) (*inbox.Template, error) {
	const q = `SELECT data FROM entities WHERE kind = ? AND id = ?`
	var data string
	err := rp.r.QueryRowContext(ctx, q, wire.KindTemplate, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("template %s: %w", id, inbox.ErrNotFound)
	}
	if err != nil {
		return nil, sqlError(q, err)
	}
	t := new(inbox.Template)
	if err := json.Unmarshal([]byte(data), t); err != nil {
		return nil, fmt.Errorf("decode template %s: %w", id, err)
	}
	return t, nil
}

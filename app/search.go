package app

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"switchboard/app/replica"
)

// Search finds messages and clients in the replica. A query finds nothing
// until one of its words has three letters (replica.MinSearchRunes).
type Search struct{ c *core }

// Messages returns up to 50 messages matching query, newest first, each
// with the excerpt to show and the matched words marked in it.
func (s *Search) Messages(query string) ([]SearchHit, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	hits, err := rp.Search(ctx, query, 50)
	if err != nil {
		return nil, toUI(err)
	}
	out := make([]SearchHit, 0, len(hits))
	for _, h := range hits {
		out = append(out, SearchHit{MessageID: h.Message.ID, DialogID: h.Message.DialogID,
			ClientName: h.ClientName, Text: h.Message.Text, At: ms(h.Message.CreatedAt),
			Parts: excerpt(h.Message.Text, replica.Marks(h.Message.Text, query))})
	}
	return out, nil
}

// SearchIndexing says how far the messages' search index is filled:
// after a first sign-in (a pull from 0) the replica fills it in the
// background, newest messages first, and search meanwhile finds only the
// messages indexed so far.
type SearchIndexing struct {
	Building bool  `json:"building"`
	Done     int64 `json:"done"`
	Total    int64 `json:"total"`
}

// Indexing reports how far the messages' search index is filled; the
// search box shows it while Building.
func (s *Search) Indexing() (SearchIndexing, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return SearchIndexing{}, err
	}
	done, total, building, err := rp.SearchIndexing(ctx)
	if err != nil {
		return SearchIndexing{}, toUI(err)
	}
	return SearchIndexing{Building: building, Done: done, Total: total}, nil
}

// ClientHit is a client whose name or contacts the search found.
type ClientHit struct {
	ClientID string `json:"clientId"`
	Name     string `json:"name"`
	DialogID string `json:"dialogId"`
	// NameParts is the name with the matched words marked.
	NameParts []TextPart `json:"nameParts"`
	// Contact is the contact the search matched ("" when only the name
	// did), with the matched words marked in ContactParts.
	Contact      string     `json:"contact"`
	ContactParts []TextPart `json:"contactParts"`
}

// Clients returns up to 10 clients whose name or contacts match query,
// each with the dialog to open.
func (s *Search) Clients(query string) ([]ClientHit, error) {
	ctx := context.Background()
	rp, _, err := s.c.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	hits, err := rp.SearchClients(ctx, query, 10)
	if err != nil {
		return nil, toUI(err)
	}
	out := make([]ClientHit, 0, len(hits))
	for _, h := range hits {
		nameMarks := replica.Marks(h.Name, query)
		hit := ClientHit{ClientID: h.ClientID, Name: h.Name, DialogID: h.DialogID,
			NameParts: parts(h.Name, nameMarks), ContactParts: []TextPart{}}
		for _, ct := range h.Contacts {
			handle := ct.Handle
			if handle == "" {
				handle = ct.ExternalID
			}
			if m := replica.Marks(handle, query); len(m) > 0 {
				hit.Contact, hit.ContactParts = handle, parts(handle, m)
				break
			}
			// Found by a phone's digits, which match no word of the
			// handle as written: show the contact, nothing marked.
			if hit.Contact == "" && len(nameMarks) == 0 {
				hit.Contact, hit.ContactParts = handle, parts(handle, nil)
			}
		}
		out = append(out, hit)
	}
	return out, nil
}

// parts splits text at marks (byte ranges, in order) into plain and
// marked pieces: the UI renders each as text, never as markup.
func parts(text string, marks [][2]int) []TextPart {
	out := []TextPart{}
	at := 0
	for _, m := range marks {
		if m[0] > at {
			out = append(out, TextPart{Text: text[at:m[0]]})
		}
		out = append(out, TextPart{Text: text[m[0]:m[1]], Match: true})
		at = m[1]
	}
	if at < len(text) {
		out = append(out, TextPart{Text: text[at:]})
	}
	return out
}

const (
	// excerptRunes bounds a message excerpt in the search results.
	excerptRunes = 160
	// excerptLead is how much text an excerpt keeps before the first match.
	excerptLead = 40
)

// excerpt cuts a long message to the part around its first mark, at word
// boundaries, with "…" where text was left out, and splits it into parts.
func excerpt(text string, marks [][2]int) []TextPart {
	from := 0
	if len(marks) > 0 {
		from = marks[0][0]
		for n := 0; from > 0 && n < excerptLead; n++ {
			_, size := utf8.DecodeLastRuneInString(text[:from])
			from -= size
		}
		if from > 0 {
			// Start at a word: after the next space, unless that passes the match.
			if sp := strings.IndexFunc(text[from:marks[0][0]], unicode.IsSpace); sp >= 0 {
				from += sp + 1
			} else {
				from = marks[0][0]
			}
		}
	}
	to := from
	for n := 0; to < len(text) && n < excerptRunes; n++ {
		_, size := utf8.DecodeRuneInString(text[to:])
		to += size
	}
	if next, _ := utf8.DecodeRuneInString(text[to:]); to < len(text) && !unicode.IsSpace(next) {
		// The window ends inside a word: end at the space before it.
		if sp := strings.LastIndexFunc(text[from:to], unicode.IsSpace); sp > 0 {
			to = from + sp
		}
	}
	var kept [][2]int
	for _, m := range marks {
		if m[0] >= from && m[1] <= to {
			kept = append(kept, [2]int{m[0] - from, m[1] - from})
		}
	}
	out := parts(text[from:to], kept)
	if from > 0 {
		out = append([]TextPart{{Text: "…"}}, out...)
	}
	if to < len(text) {
		out = append(out, TextPart{Text: "…"})
	}
	return out
}

package app

import "context"

// Search finds messages in the replica.
type Search struct{ c *core }

// Messages returns up to 50 messages matching query, newest first.
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
			ClientName: h.ClientName, Text: h.Message.Text, At: ms(h.Message.CreatedAt)})
	}
	return out, nil
}

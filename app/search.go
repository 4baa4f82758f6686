package app

import "context"

// Search finds messages and clients in the replica.
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

// ClientHit is a client whose name the search found.
type ClientHit struct {
	ClientID string `json:"clientId"`
	Name     string `json:"name"`
	DialogID string `json:"dialogId"`
}

// Clients returns up to 10 clients whose name matches query, each with the
// dialog to open.
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
		out = append(out, ClientHit{ClientID: h.ClientID, Name: h.Name, DialogID: h.DialogID})
	}
	return out, nil
}

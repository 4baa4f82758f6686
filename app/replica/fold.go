package replica

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"switchboard/inbox"
)

// fold prepares text for the search index and for queries alike. FTS5's
// unicode61 tokenizer folds case and Latin diacritics but treats ё and й as
// letters of their own, while people type е and и for them; folding both
// sides the same way lets "счет" find "счёт".
func fold(s string) string {
	return strings.Map(foldRune, s) // one pass: lower case, then ё→е, й→и
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	switch r = unicode.ToLower(r); r {
	case 'ё':
		return 'е'
	case 'й':
		return 'и'
	}
	return r
}

// searchText is what the messages' search index holds of a text: the text
// with ё and й spelt е and и, as fold spells them; the tokenizer folds the
// case itself. searchTextSQL is the same in SQL, so a bootstrap fills the
// index in one statement with no call back into Go per message.
func searchText(s string) string {
	if !strings.ContainsAny(s, "ёЁйЙ") {
		return s
	}
	return searchSpelling.Replace(s)
}

var searchSpelling = strings.NewReplacer("ё", "е", "Ё", "Е", "й", "и", "Й", "И")

// searchTextSQL is searchText of the SQL expression expr.
func searchTextSQL(expr string) string {
	return `replace(replace(replace(replace(` + expr + `, 'ё', 'е'), 'Ё', 'Е'), 'й', 'и'), 'Й', 'И')`
}

// contactTerms is what the client search index holds of a client's
// contacts: each handle (or the channel's id when it has none) folded,
// and for a phone number its digits alone and its last ten digits, so
// "+380 67 123-45-67" is found by "380671234567" and by "0671234567".
func contactTerms(contacts []inbox.Contact) string {
	var terms []string
	for _, c := range contacts {
		h := c.Handle
		if h == "" {
			h = c.ExternalID
		}
		terms = append(terms, fold(h))
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, h)
		if len(digits) >= 7 {
			terms = append(terms, digits)
			if len(digits) > 10 {
				terms = append(terms, digits[len(digits)-10:])
			}
		}
	}
	return strings.Join(terms, " ")
}

// clientContactTerms is contactTerms of a client stored as JSON: the SQL
// function sb_contact_terms, with which a migration fills the index.
func clientContactTerms(data string) string {
	var cl inbox.Client
	if json.Unmarshal([]byte(data), &cl) != nil {
		return ""
	}
	return contactTerms(cl.Contacts)
}

// MinSearchRunes is how long a word must be for the search to start: a
// query without a word of at least this many letters or digits finds
// nothing (the index keeps prefixes from 3 letters; one or two letters
// would match half the words of every message).
const MinSearchRunes = 3

// queryWords splits what the operator typed into folded words, or returns
// none when no word is long enough to search by (MinSearchRunes).
func queryWords(input string) []string {
	words := splitWords(fold(input))
	for _, w := range words {
		if utf8.RuneCountInString(w) >= MinSearchRunes {
			return words
		}
	}
	return nil
}

// splitWords splits text into its words: runs of letters and digits.
func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.Mn, r)
	})
}

// matchQuery turns what the operator typed into an FTS5 MATCH expression:
// every word must appear, each as a prefix. Words are quoted so that FTS5
// operators and punctuation in the input are taken literally. It returns ""
// when nothing searchable is left.
func matchQuery(input string) string {
	words := queryWords(input)
	for i, w := range words {
		words[i] = `"` + w + `"*`
	}
	return strings.Join(words, " ")
}

// indexedPrefix is the longest prefix the search index keeps (prefix =
// '3 4 5'); a longer word is looked up by its first indexedPrefix letters.
const indexedPrefix = 5

// messageQuery is matchQuery for the message index, which is large: a word
// longer than the index's prefixes is matched by its indexed prefix (a
// longer prefix would make FTS5 merge every matching doclist before
// yielding the newest) and returned in long, for hasPrefixes to check on
// the few rows read.
//
// A word shorter than MinSearchRunes ("Иван П") is left out of the MATCH,
// where its prefix would merge the doclists of every word it starts, and
// checked on the rows read the same way.
func messageQuery(input string) (match, long string) {
	var matched, checked []string
	for _, w := range queryWords(input) {
		r := []rune(w)
		switch {
		case len(r) < MinSearchRunes:
			checked = append(checked, w)
			continue
		case len(r) > indexedPrefix:
			checked = append(checked, w)
			w = string(r[:indexedPrefix])
		}
		matched = append(matched, `"`+w+`"*`)
	}
	return strings.Join(matched, " "), strings.Join(checked, " ")
}

// hasPrefixes reports whether every space-separated word of words starts
// one of text's words, compared as the index compares them (folded,
// without diacritics). It is the SQL function sb_has_prefixes.
func hasPrefixes(text, words string) bool {
	tokens := splitWords(plain(fold(text)))
	for _, w := range strings.Fields(plain(words)) {
		found := false
		for _, t := range tokens {
			if strings.HasPrefix(t, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// plain drops combining marks, as the tokenizer's remove_diacritics does.
func plain(s string) string {
	d := norm.NFD.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d)
}

package replica

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// Marks returns where the words of query match text as the search matches
// them: each word of text that a query word starts (folded, without
// diacritics, ё as е), marked over the part that matched. The ranges are
// byte offsets into text, in order and apart. The UI builds highlighted
// text from them; text itself is never parsed as markup.
func Marks(text, query string) [][2]int {
	var words [][]rune
	for _, w := range queryWords(query) {
		words = append(words, []rune(plain(w)))
	}
	if len(words) == 0 {
		return nil
	}
	var out [][2]int
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		// folded is the word as the index holds it; ends[k] is where in
		// text the letter behind folded[k] ends (with its combining marks).
		var folded []rune
		var ends []int
		for i < len(text) {
			r, size = utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			i += size
			f := []rune(plain(fold(string(r))))
			if len(f) == 0 && len(ends) > 0 {
				ends[len(ends)-1] = i // a combining mark belongs to its letter
			}
			for range f {
				ends = append(ends, i)
			}
			folded = append(folded, f...)
		}
		best := 0
		for _, w := range words {
			if len(w) > best && len(w) <= len(folded) && slices.Equal(folded[:len(w)], w) {
				best = len(w)
			}
		}
		if best > 0 {
			out = append(out, [2]int{start, ends[best-1]})
		}
	}
	return out
}

// isWordRune reports whether r belongs to a word as the index splits text.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
}

package replica

import (
	"strings"
	"unicode"
)

// fold prepares text for the search index and for queries alike. FTS5's
// unicode61 tokenizer folds case and Latin diacritics but treats ё and й as
// letters of their own, while people type е and и for them; folding both
// sides the same way lets "счет" find "счёт".
func fold(s string) string {
	return folder.Replace(strings.ToLower(s))
}

var folder = strings.NewReplacer("ё", "е", "й", "и")

// matchQuery turns what the operator typed into an FTS5 MATCH expression:
// every word must appear, each as a prefix. Words are quoted so that FTS5
// operators and punctuation in the input are taken literally. It returns ""
// when nothing searchable is left.
func matchQuery(input string) string {
	words := strings.FieldsFunc(fold(input), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	for i, w := range words {
		words[i] = `"` + w + `"*`
	}
	return strings.Join(words, " ")
}

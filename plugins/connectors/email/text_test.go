package main

import (
	"strings"
	"testing"
)

func TestFoldQuoted(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a Gmail reply", "Thanks, got it.\n\nOn Mon, Jan 1, 2024 at 10:00 AM Shop <shop@example.com> wrote:\n> Your order shipped.\n> Track it here.", "Thanks, got it."},
		{"a wrapped Gmail attribution", "Yes.\n\nOn Mon, Jan 1, 2024 at 10:00 AM Shop Support <\nshop@example.com> wrote:\n\n> Is that all?", "Yes."},
		{"a Russian client", "Спасибо!\n\n01.02.2024, 10:00, \"Магазин\" <shop@example.com> пишет:\n> Заказ отправлен", "Спасибо!"},
		{"a Ukrainian client", "Дякую!\n\nпн, 1 січ. 2024 р. о 10:00 Магазин <shop@example.com> пише:\n> Замовлення відправлено", "Дякую!"},
		{"an Outlook reply", "See below.\n\n________________________________\nFrom: Shop <shop@example.com>\nSent: Monday\nTo: me\nSubject: Order\n\nYour order shipped.", "See below."},
		{"an original message separator", "OK\n\n-----Original Message-----\nFrom: Shop\nblah", "OK"},
		{"a trailing quote without attribution", "Fine\n\n> old text\n> more", "Fine"},
		{"interleaved answers stay", "> Which size?\nM, please.\n> Which colour?\nBlue.", "> Which size?\nM, please.\n> Which colour?\nBlue."},
		{"a quote alone stays whole", "> only a quote", "> only a quote"},
		{"no quote", "Just a question.\nTwo lines.", "Just a question.\nTwo lines."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := foldQuoted(tt.in); got != tt.want {
				t.Errorf("foldQuoted(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLBecomesSafeText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"paragraphs and breaks", "<p>Hello,</p><p>line one<br>line two</p>", "Hello,\n\nline one\nline two"},
		{"a list", "<ul><li>one</li><li>two</li></ul>", "• one\n• two"},
		{"a link shows its address", `<a href="https://example.com/t">track</a>`, "track (https://example.com/t)"},
		{"a bare link once", `<a href="https://example.com/t">https://example.com/t</a>`, "https://example.com/t"},
		{"a script is gone", "<p>Hi</p><script>alert(1)</script>", "Hi"},
		{"a javascript link keeps only its words", `<a href="javascript:alert(1)">click</a>`, "click"},
		{"a style is gone", "<style>p{color:red}</style><p>Hi</p>", "Hi"},
		{"a quote is marked", "<p>Yes</p><blockquote>Will it come?</blockquote>", "Yes\n\n> Will it come?"},
		{"entities decode", "<p>5 &lt; 6 &amp; Co</p>", "5 < 6 & Co"},
		{"whitespace collapses", "<div>a\n   b</div>", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.TrimSpace(normaliseText(htmlToText(sanitiseHTML(tt.in))))
			if got != tt.want {
				t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormSubject(t *testing.T) {
	for in, want := range map[string]string{
		"Re: Order 1042":           "order 1042",
		"RE: Fwd: re:  Order 1042": "order 1042",
		"AW: Bestellung":           "bestellung",
		"Ответ: Заказ":             "заказ",
		"Re[2]: Заказ":             "заказ",
		"Відп: Замовлення":         "замовлення",
		"Regarding the order":      "regarding the order",
	} {
		if got := normSubject(in); got != want {
			t.Errorf("normSubject(%q) = %q, want %q", in, got, want)
		}
	}
}

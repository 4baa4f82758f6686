package notify

import (
	"strconv"
	"strings"
)

// Languages the alerts speak, as the UI names them.
var Languages = []string{"en", "ru", "uk"}

// forms is one phrase in a language's plural forms. English uses one and
// many; Russian and Ukrainian one (1, 21), few (2–4, 22–24) and many (0,
// 5–20, 11–14...), as CLDR defines them for integers.
type forms struct{ one, few, many string }

type phrases map[string]forms

// same is a phrase without a count.
func same(s string) forms { return forms{s, s, s} }

var catalog = map[string]phrases{
	"en": {
		"new_dialog":       same("New dialog in {line}"),
		"new_dialogs":      {"{n} new dialog in {line}", "", "{n} new dialogs in {line}"},
		"pinned":           same("New dialog for you"),
		"assigned":         same("Dialog assigned to you"),
		"assigned_many":    {"{n} dialog for you", "", "{n} dialogs for you"},
		"mention":          same("{author} mentioned you"),
		"mentions":         {"{n} mention of you", "", "{n} mentions of you"},
		"reply":            same("New message: {client}"),
		"replies":          {"{n} new message: {client}", "", "{n} new messages: {client}"},
		"replies_dialogs":  {"{n} new message in your dialogs", "", "{n} new messages in your dialogs"},
		"dialog_with":      same("Dialog: {client}"),
		"hidden":           same("Message text is hidden"),
		"summary":          same("While you were away"),
		"summary_new":      {"{n} new dialog in your lines", "", "{n} new dialogs in your lines"},
		"summary_assigned": {"{n} dialog for you", "", "{n} dialogs for you"},
		"summary_mentions": {"{n} mention of you", "", "{n} mentions of you"},
		"summary_replies":  {"new messages in {n} of your dialogs", "", "new messages in {n} of your dialogs"},
	},
	"ru": {
		"new_dialog":       same("Новый диалог в линии «{line}»"),
		"new_dialogs":      {"{n} новый диалог в линии «{line}»", "{n} новых диалога в линии «{line}»", "{n} новых диалогов в линии «{line}»"},
		"pinned":           same("Новый диалог для вас"),
		"assigned":         same("Вам назначен диалог"),
		"assigned_many":    {"{n} диалог для вас", "{n} диалога для вас", "{n} диалогов для вас"},
		"mention":          same("{author} упоминает вас"),
		"mentions":         {"{n} упоминание вас", "{n} упоминания вас", "{n} упоминаний вас"},
		"reply":            same("Новое сообщение: {client}"),
		"replies":          {"{n} новое сообщение: {client}", "{n} новых сообщения: {client}", "{n} новых сообщений: {client}"},
		"replies_dialogs":  {"{n} новое сообщение в ваших диалогах", "{n} новых сообщения в ваших диалогах", "{n} новых сообщений в ваших диалогах"},
		"dialog_with":      same("Диалог: {client}"),
		"hidden":           same("Текст сообщения скрыт"),
		"summary":          same("Пока вас не было"),
		"summary_new":      {"{n} новый диалог в ваших линиях", "{n} новых диалога в ваших линиях", "{n} новых диалогов в ваших линиях"},
		"summary_assigned": {"{n} диалог для вас", "{n} диалога для вас", "{n} диалогов для вас"},
		"summary_mentions": {"{n} упоминание вас", "{n} упоминания вас", "{n} упоминаний вас"},
		"summary_replies":  {"новые сообщения в {n} вашем диалоге", "новые сообщения в {n} ваших диалогах", "новые сообщения в {n} ваших диалогах"},
	},
	"uk": {
		"new_dialog":       same("Новий діалог у лінії «{line}»"),
		"new_dialogs":      {"{n} новий діалог у лінії «{line}»", "{n} нові діалоги у лінії «{line}»", "{n} нових діалогів у лінії «{line}»"},
		"pinned":           same("Новий діалог для вас"),
		"assigned":         same("Вам призначено діалог"),
		"assigned_many":    {"{n} діалог для вас", "{n} діалоги для вас", "{n} діалогів для вас"},
		"mention":          same("{author} згадує вас"),
		"mentions":         {"{n} згадка про вас", "{n} згадки про вас", "{n} згадок про вас"},
		"reply":            same("Нове повідомлення: {client}"),
		"replies":          {"{n} нове повідомлення: {client}", "{n} нові повідомлення: {client}", "{n} нових повідомлень: {client}"},
		"replies_dialogs":  {"{n} нове повідомлення у ваших діалогах", "{n} нові повідомлення у ваших діалогах", "{n} нових повідомлень у ваших діалогах"},
		"dialog_with":      same("Діалог: {client}"),
		"hidden":           same("Текст повідомлення приховано"),
		"summary":          same("Поки вас не було"),
		"summary_new":      {"{n} новий діалог у ваших лініях", "{n} нові діалоги у ваших лініях", "{n} нових діалогів у ваших лініях"},
		"summary_assigned": {"{n} діалог для вас", "{n} діалоги для вас", "{n} діалогів для вас"},
		"summary_mentions": {"{n} згадка про вас", "{n} згадки про вас", "{n} згадок про вас"},
		"summary_replies":  {"нові повідомлення у {n} вашому діалозі", "нові повідомлення у {n} ваших діалогах", "нові повідомлення у {n} ваших діалогах"},
	},
}

// pluralForm picks the CLDR plural category of n in lang.
func pluralForm(lang string, n int) int {
	const one, few, many = 0, 1, 2
	if n < 0 {
		n = -n
	}
	switch lang {
	case "ru", "uk":
		switch d, dd := n%10, n%100; {
		case d == 1 && dd != 11:
			return one
		case d >= 2 && d <= 4 && (dd < 12 || dd > 14):
			return few
		default:
			return many
		}
	default:
		if n == 1 {
			return one
		}
		return many
	}
}

// text renders a phrase of lang (English when lang or the phrase is
// unknown) with n and the named arguments, given as name, value pairs.
func text(lang, key string, n int, args ...string) string {
	f, ok := catalog[lang][key]
	if !ok {
		lang, f = "en", catalog["en"][key]
	}
	s := [3]string{f.one, f.few, f.many}[pluralForm(lang, n)]
	if s == "" {
		s = f.many
	}
	pairs := []string{"{n}", strconv.Itoa(n)}
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// knownLanguage reports whether alerts speak lang.
func knownLanguage(lang string) bool {
	_, ok := catalog[lang]
	return ok
}

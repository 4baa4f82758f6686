package transcript

import "switchboard/inbox"

// Words are the headings a transcript shows.
type Words struct {
	Client, Channel, Line, Exported, Attachment, Deleted, Footer string
}

// words are one language's headings, title and author labels.
type words struct {
	Words
	lang  string
	title string // fmt: the dialog's number, the client's name
	kinds map[inbox.MessageKind]string
}

var languages = map[string]words{
	"en": {
		Words: Words{Client: "Client", Channel: "Channel", Line: "Line", Exported: "Exported", Attachment: "Attachment",
			Deleted: "(message deleted)", Footer: "Exported from Switchboard."},
		lang: "en", title: "Conversation #%d with %s",
		kinds: map[inbox.MessageKind]string{inbox.MsgInbound: "customer", inbox.MsgOutbound: "operator",
			inbox.MsgComment: "internal comment", inbox.MsgNote: "private note", inbox.MsgSystem: "system"},
	},
	"ru": {
		Words: Words{Client: "Клиент", Channel: "Канал", Line: "Линия", Exported: "Выгружено", Attachment: "Вложение",
			Deleted: "(сообщение удалено)", Footer: "Выгружено из Switchboard."},
		lang: "ru", title: "Диалог №%d с клиентом %s",
		kinds: map[inbox.MessageKind]string{inbox.MsgInbound: "клиент", inbox.MsgOutbound: "оператор",
			inbox.MsgComment: "внутренний комментарий", inbox.MsgNote: "личная заметка", inbox.MsgSystem: "система"},
	},
	"uk": {
		Words: Words{Client: "Клієнт", Channel: "Канал", Line: "Лінія", Exported: "Вивантажено", Attachment: "Вкладення",
			Deleted: "(повідомлення видалено)", Footer: "Вивантажено зі Switchboard."},
		lang: "uk", title: "Діалог №%d з клієнтом %s",
		kinds: map[inbox.MessageKind]string{inbox.MsgInbound: "клієнт", inbox.MsgOutbound: "оператор",
			inbox.MsgComment: "внутрішній коментар", inbox.MsgNote: "особиста нотатка", inbox.MsgSystem: "система"},
	},
}

// wordsFor returns a language's words, English for one we do not know.
func wordsFor(lang string) words {
	if w, ok := languages[lang]; ok {
		return w
	}
	return languages["en"]
}

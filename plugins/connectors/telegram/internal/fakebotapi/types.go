package fakebotapi

// The objects below follow the Bot API reference
// (https://core.telegram.org/bots/api#available-types), with the fields this
// server produces. They are declared here rather than taken from a client
// library so that the server checks the connector against the reference,
// not against the library the connector itself uses.

// User is https://core.telegram.org/bots/api#user.
type User struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
	// Only in getMe answers.
	CanJoinGroups           bool `json:"can_join_groups,omitempty"`
	CanReadAllGroupMessages bool `json:"can_read_all_group_messages,omitempty"`
	SupportsInlineQueries   bool `json:"supports_inline_queries,omitempty"`
}

// Chat is https://core.telegram.org/bots/api#chat.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

// PhotoSize is https://core.telegram.org/bots/api#photosize.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

// Document is https://core.telegram.org/bots/api#document.
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

// Message is https://core.telegram.org/bots/api#message, the fields this
// server fills.
type Message struct {
	MessageID            int         `json:"message_id"`
	BusinessConnectionID string      `json:"business_connection_id,omitempty"`
	From                 *User       `json:"from,omitempty"`
	Chat                 Chat        `json:"chat"`
	Date                 int64       `json:"date"`
	EditDate             int64       `json:"edit_date,omitempty"`
	ReplyToMessage       *Message    `json:"reply_to_message,omitempty"`
	Text                 string      `json:"text,omitempty"`
	Caption              string      `json:"caption,omitempty"`
	Photo                []PhotoSize `json:"photo,omitempty"`
	Document             *Document   `json:"document,omitempty"`
}

// File is https://core.telegram.org/bots/api#file.
type File struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int    `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

// UserProfilePhotos is https://core.telegram.org/bots/api#userprofilephotos.
type UserProfilePhotos struct {
	TotalCount int           `json:"total_count"`
	Photos     [][]PhotoSize `json:"photos"`
}

// WebhookInfo is https://core.telegram.org/bots/api#webhookinfo.
type WebhookInfo struct {
	URL                  string `json:"url"`
	HasCustomCertificate bool   `json:"has_custom_certificate"`
	PendingUpdateCount   int    `json:"pending_update_count"`
}

// replyParameters is https://core.telegram.org/bots/api#replyparameters.
type replyParameters struct {
	MessageID                int  `json:"message_id"`
	AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
}

// response is the envelope of every answer
// (https://core.telegram.org/bots/api#making-requests).
type response struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *responseParameters `json:"parameters,omitempty"`
}

// responseParameters is https://core.telegram.org/bots/api#responseparameters.
type responseParameters struct {
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
	RetryAfter      int   `json:"retry_after,omitempty"`
}

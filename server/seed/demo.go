package seed

import (
	"context"
	"fmt"
	"time"

	"switchboard/inbox"
	"switchboard/server/password"
	"switchboard/server/store"
	"switchboard/wire"
)

// DemoPassword signs in every demo operator.
const DemoPassword = "demo1234"

// DemoOperators are the demo workspace's people: e-mail -> role.
var DemoOperators = []struct{ ID, Name, Email, Role, Lang string }{
	{"op-admin", "Олена Адмін", "admin@demo.switchboard", inbox.RoleAdmin, "uk"},
	{"op-sofia", "Sofia Koval", "sofia@demo.switchboard", inbox.RoleSupervisor, "en"},
	{"op-anna", "Анна Смирнова", "anna@demo.switchboard", inbox.RoleOperator, "ru"},
	{"op-taras", "Тарас Шевчук", "taras@demo.switchboard", inbox.RoleOperator, "uk"},
	{"op-james", "James Miller", "james@demo.switchboard", inbox.RoleOperator, "en"},
}

type demoDialog struct {
	client, handle string
	channel        string
	status         inbox.Status
	assignee       string
	msgs           []string // "c:" client, "o:" operator, "n:" comment
}

var demoDialogs = []demoDialog{
	{"Мария Иванова", "@maria_iv", "ch-telegram", inbox.StatusUnassigned, "", []string{
		"c:Здравствуйте! Хочу вернуть заказ №4815, размер не подошёл.",
		"c:Как оформить возврат?"}},
	{"Игорь Петров", "@igor_p", "ch-telegram", inbox.StatusInProgress, "op-anna", []string{
		"c:Добрый день, когда будет доставка?",
		"o:Здравствуйте, Игорь! Заказ передан курьеру, привезут завтра до 18:00.",
		"c:Спасибо, ёлки-палки, как быстро!"}},
	{"Олексій Бондар", "+380671234567", "ch-whatsapp", inbox.StatusUnassigned, "", []string{
		"c:Добрий день! Не можу увійти в особистий кабінет.",
		"c:Пише «невірний пароль», хоча я його щойно змінив."}},
	{"Ірина Мельник", "visitor-7f3a", "ch-webchat", inbox.StatusInProgress, "op-taras", []string{
		"c:Привіт! Чи можна змінити адресу доставки?",
		"o:Вітаю, Ірино! Так, напишіть нову адресу, будь ласка.",
		"c:вул. Хрещатик, 22, Київ",
		"n:@Sofia Koval чи встигнемо змінити до відправки?"}},
	{"John Carter", "john.carter@example.com", "ch-email", inbox.StatusUnassigned, "", []string{
		"c:Hello, I was charged twice for invoice INV-2291. Could you check?"}},
	{"Emily Stone", "emily@example.org", "ch-email", inbox.StatusInProgress, "op-james", []string{
		"c:Do you ship to Canada?",
		"o:Hi Emily, yes — standard shipping to Canada takes 5–7 business days."}},
	{"Павел Соколов", "@pavel_s", "ch-telegram", inbox.StatusClosed, "op-anna", []string{
		"c:Подскажите режим работы магазина",
		"o:Мы работаем ежедневно с 9:00 до 21:00.",
		"c:Спасибо!"}},
	{"Наталія Кравець", "visitor-91bc", "ch-webchat", inbox.StatusSnoozed, "op-taras", []string{
		"c:Коли з'явиться модель у синьому кольорі?",
		"o:Очікуємо поставку наступного тижня, я вам напишу."}},
	{`<img src=x onerror=alert(1)>`, "visitor-evil", "ch-webchat", inbox.StatusUnassigned, "", []string{
		`c:<script>window.pwned=1</script> hello <b>bold</b>`}},
	{"Daniel Brooks", "daniel.b@example.net", "ch-email", inbox.StatusClosed, "op-james", []string{
		"c:Please cancel my subscription.",
		"o:Done — your subscription is cancelled. Sorry to see you go!"}},
	// Ірина Мельник again (dl-demo-04's client), earlier on WhatsApp: one
	// client on two channels, for the client card's history.
	{"Ірина Мельник", "+380931112233", "ch-whatsapp", inbox.StatusClosed, "op-taras", []string{
		"c:Добрий день! Замовлення №5120 ще не відправили?",
		"o:Вітаю! Відправляємо сьогодні, номер накладної надішлю ввечері."}},
}

// Demo fills an empty database with the demo workspace.
func Demo(ctx context.Context, st store.Store, now time.Time) error {
	if err := demoWorkspace(ctx, st, now); err != nil {
		return err
	}
	// The website chat serves its customer page here (see scripts/demo).
	return st.PutChannelSettings(ctx, "ch-webchat", []byte(`{"listen":"`+DemoWebchatListen+`","title":"Demo Shop"}`))
}

// DemoWebchatListen is where the demo's website chat serves customers.
const DemoWebchatListen = "127.0.0.1:8090"

func demoWorkspace(ctx context.Context, st store.Store, now time.Time) error {
	hash, err := password.Hash(DemoPassword)
	if err != nil {
		return err
	}
	return st.Write(ctx, func(tx store.Tx) error {
		if tx.Org().Workspace != nil {
			return ErrExists
		}
		w := writer{tx: tx}
		w.put(wire.KindWorkspace, "ws", &inbox.Workspace{ID: "ws", Name: "Demo Shop", DefaultLanguage: "en",
			ReopenMessengerHours: inbox.DefaultReopenMessengerHours, ReopenEmailHours: inbox.DefaultReopenEmailHours, CreatedAt: now})
		for _, r := range inbox.DefaultRoles() {
			w.put(wire.KindRole, r.ID, r)
		}
		for _, o := range DemoOperators {
			w.put(wire.KindOperator, o.ID, &inbox.Operator{ID: o.ID, Name: o.Name, Email: o.Email, Role: o.Role,
				Active: true, Language: o.Lang, CreatedAt: now})
			if w.err == nil {
				w.err = tx.SetCredential(o.ID, o.Email, hash)
			}
		}
		w.put(wire.KindGroup, "g-sales", &inbox.Group{ID: "g-sales", Name: "Продажи", MemberIDs: []string{"op-anna"}})
		w.put(wire.KindGroup, "g-support", &inbox.Group{ID: "g-support", Name: "Підтримка", MemberIDs: []string{"op-taras"}})
		w.put(wire.KindGroup, "g-intl", &inbox.Group{ID: "g-intl", Name: "International", MemberIDs: []string{"op-james", "op-anna"}})
		w.put(wire.KindGroup, "g-leads", &inbox.Group{ID: "g-leads", Name: "Supervisors", MemberIDs: []string{"op-sofia"}})
		sup := []string{"g-leads"}
		w.put(wire.KindLine, "line-sales", &inbox.Line{ID: "line-sales", Name: "Продажи", OperatorGroupIDs: []string{"g-sales"}, SupervisorGroupIDs: sup, NameShown: inbox.ShowOperatorName})
		w.put(wire.KindLine, "line-support", &inbox.Line{ID: "line-support", Name: "Підтримка", OperatorGroupIDs: []string{"g-support"}, SupervisorGroupIDs: sup, NameShown: inbox.ShowLineName})
		w.put(wire.KindLine, "line-intl", &inbox.Line{ID: "line-intl", Name: "International", OperatorGroupIDs: []string{"g-intl"}, SupervisorGroupIDs: sup, NameShown: inbox.ShowOperatorName})
		for _, c := range []inbox.Channel{
			{ID: "ch-telegram", Name: "Telegram @demo_shop_bot", Kind: inbox.KindTelegram, ConnectorID: "telegram", LineID: "line-sales"},
			{ID: "ch-whatsapp", Name: "WhatsApp +380 44 000 00 00", Kind: inbox.KindWhatsApp, ConnectorID: "whatsapp", LineID: "line-support"},
			{ID: "ch-webchat", Name: "Site chat", Kind: inbox.KindWebchat, ConnectorID: "webchat", LineID: "line-support"},
			{ID: "ch-email", Name: "support@demo.switchboard", Kind: inbox.KindEmail, ConnectorID: "email", LineID: "line-intl"},
		} {
			c.State = inbox.ChannelActive
			w.put(wire.KindChannel, c.ID, &c)
		}
		w.put(wire.KindTag, "tag-refund", &inbox.Tag{ID: "tag-refund", Name: "refund", Color: "#d9534f"})
		w.put(wire.KindTag, "tag-vip", &inbox.Tag{ID: "tag-vip", Name: "VIP", Color: "#f0ad4e"})
		lineOf := map[string]string{"ch-telegram": "line-sales", "ch-whatsapp": "line-support", "ch-webchat": "line-support", "ch-email": "line-intl"}
		kindOf := map[string]inbox.ChannelKind{"ch-telegram": inbox.KindTelegram, "ch-whatsapp": inbox.KindWhatsApp, "ch-webchat": inbox.KindWebchat, "ch-email": inbox.KindEmail}
		clients := demoClients(kindOf)
		for i, dd := range demoDialogs {
			w.apply(demoOutcome(i, dd, clients[dd.client], lineOf[dd.channel], now, tx.NextDialogNumber()))
		}
		w.apply(&inbox.Outcome{Templates: []*inbox.Template{
			{ID: "tpl-hello-ru", Title: "Приветствие", Text: "Здравствуйте, {client.name}! Меня зовут {operator.name}, чем могу помочь?"},
			{ID: "tpl-hello-uk", Title: "Привітання", Text: "Вітаю, {client.name}! Мене звати {operator.name}, чим можу допомогти?"},
			{ID: "tpl-hello-en", Title: "Greeting", Text: "Hi {client.name}! I'm {operator.name}, how can I help?"},
			{ID: "tpl-wait-ru", Title: "Уточняю информацию", Text: "{client.name}, минуту — уточняю и вернусь с ответом."},
			{ID: "tpl-wait-uk", Title: "Уточнюю інформацію", Text: "{client.name}, хвилинку — уточню і повернуся з відповіддю."},
			{ID: "tpl-return-ru", Title: "Возврат заказа", Text: "Оформить возврат можно в течение 14 дней: ответьте на это сообщение номером заказа, и мы пришлём курьера. Номер вашего обращения — {dialog.number}."},
			{ID: "tpl-bye-ru", Title: "Прощание", Text: "Спасибо за обращение, {client.name}! Если появятся вопросы — пишите, линия «{line.name}» на связи."},
			{ID: "tpl-bye-uk", Title: "Прощання", Text: "Дякуємо за звернення, {client.name}! Якщо будуть питання — пишіть, лінія «{line.name}» на зв'язку."},
			{ID: "tpl-bye-en", Title: "Closing", Text: "Thanks for reaching out, {client.name}! Your case number is {dialog.number}; just reply if anything else comes up."},
			{ID: "tpl-anna-delivery", OwnerID: "op-anna", Title: "Доставка завтра", Text: "{client.name}, заказ передан курьеру, привезут завтра до 18:00."},
		}})
		return w.err
	})
}

// demoClients makes one client per name: cl-demo-NN after the first
// dialog by that name, with a contact on each of its dialogs' channels.
func demoClients(kindOf map[string]inbox.ChannelKind) map[string]*inbox.Client {
	out := map[string]*inbox.Client{}
	for i, dd := range demoDialogs {
		c := out[dd.client]
		if c == nil {
			c = &inbox.Client{ID: fmt.Sprintf("cl-demo-%02d", i+1), OriginalName: dd.client}
			out[dd.client] = c
		}
		c.Contacts = append(c.Contacts, inbox.Contact{ChannelID: dd.channel, Kind: kindOf[dd.channel], ExternalID: dd.handle, Handle: dd.handle})
	}
	return out
}

func demoOutcome(i int, dd demoDialog, client *inbox.Client, line string, now time.Time, number int64) *inbox.Outcome {
	start := now.Add(-time.Duration(len(demoDialogs)-i) * 37 * time.Minute)
	if dd.status == inbox.StatusClosed && client.ID != fmt.Sprintf("cl-demo-%02d", i+1) {
		start = now.Add(-50 * time.Hour) // a returning client's earlier dialog
	}
	cid, did := client.ID, fmt.Sprintf("dl-demo-%02d", i+1)
	c := *client // the last put wins: the earlier dialog comes last
	c.CreatedAt, c.ModifiedAt = start, start
	d := &inbox.Dialog{ID: did, Number: number, ClientID: cid, ChannelID: dd.channel, LineID: line, Status: dd.status,
		AssigneeID: dd.assignee, CreatedAt: start, QueuedAt: start, ModifiedAt: start}
	o := &inbox.Outcome{Clients: []*inbox.Client{&c}, Dialogs: []*inbox.Dialog{d}}
	o.Events = append(o.Events, &inbox.DialogEvent{ID: did + "-ev-created", DialogID: did, Type: inbox.EvCreated, At: start},
		&inbox.DialogEvent{ID: did + "-ev-queued", DialogID: did, Type: inbox.EvQueued, To: line, At: start})
	at := start
	for j, text := range dd.msgs {
		at = at.Add(2 * time.Minute)
		m := &inbox.Message{ID: fmt.Sprintf("%s-m%02d", did, j+1), DialogID: did, ClientID: cid, ChannelID: dd.channel, Text: text[2:], CreatedAt: at}
		switch text[:2] {
		case "c:":
			m.Kind, m.ExternalID = inbox.MsgInbound, fmt.Sprintf("demo-%s-%d", did, j)
			d.Unread++
			d.LastClientMessageAt = at
			if d.AwaitingSince.IsZero() {
				d.AwaitingSince = at // the wait the next answer ends (inbox's response times)
			}
			d.Detailed = inbox.DetClientWaiting
			if !d.FirstAnswerAt.IsZero() {
				d.Detailed = inbox.DetClientWaitingAgain
			}
		case "o:":
			m.Kind, m.AuthorID, m.Delivery = inbox.MsgOutbound, dd.assignee, inbox.DeliveryDelivered
			d.Unread, d.LastOperatorMessageAt, d.Detailed = 0, at, inbox.DetOperatorAnswered
			if d.FirstAnswerAt.IsZero() {
				d.FirstAnswerAt = at
			}
			if !d.AwaitingSince.IsZero() { // demo lines have no business hours: both clocks agree
				w := at.Sub(d.AwaitingSince).Milliseconds()
				r := &d.Responses
				r.Count, r.TotalMs, r.MaxMs = r.Count+1, r.TotalMs+w, max(r.MaxMs, w)
				r.BusinessTotalMs, r.BusinessMaxMs = r.TotalMs, r.MaxMs
				d.AwaitingSince = time.Time{}
			}
		case "n:":
			m.Kind, m.AuthorID = inbox.MsgComment, dd.assignee
			m.Mentions = []string{"op-sofia"}
			d.Participants = []string{"op-sofia"}
		}
		if m.Kind != inbox.MsgComment {
			d.LastMessageID, d.LastMessageText, d.LastMessageFromTeam = m.ID, preview(m.Text), m.Kind != inbox.MsgInbound
		}
		d.LastMessageAt, d.ModifiedAt = at, at
		o.Messages = append(o.Messages, m)
	}
	switch dd.status {
	case inbox.StatusUnassigned:
		if d.Detailed == "" {
			d.Detailed = inbox.DetQueued
		}
	case inbox.StatusInProgress:
		d.StartedAt = start.Add(time.Minute)
		o.Events = append(o.Events, &inbox.DialogEvent{ID: did + "-ev-taken", DialogID: did, Type: inbox.EvTaken, ActorID: dd.assignee, To: dd.assignee, At: d.StartedAt})
	case inbox.StatusClosed:
		d.StartedAt, d.ClosedByID, d.ClosedAt, d.ClosedByOperatorAt = start.Add(time.Minute), dd.assignee, at.Add(time.Minute), at.Add(time.Minute)
		d.Detailed, d.Unread = inbox.DetClosed, 0
		o.Events = append(o.Events, &inbox.DialogEvent{ID: did + "-ev-closed", DialogID: did, Type: inbox.EvClosed, ActorID: dd.assignee, At: d.ClosedAt})
	case inbox.StatusSnoozed:
		d.StartedAt, d.SnoozedUntil = start.Add(time.Minute), now.Add(72*time.Hour)
		o.Events = append(o.Events, &inbox.DialogEvent{ID: did + "-ev-snoozed", DialogID: did, Type: inbox.EvSnoozed, ActorID: dd.assignee, At: at.Add(time.Minute)})
	}
	return o
}

// preview shortens a message for a dialog row.
func preview(s string) string {
	r := []rune(s)
	if len(r) > 120 {
		return string(r[:119]) + "…"
	}
	return s
}

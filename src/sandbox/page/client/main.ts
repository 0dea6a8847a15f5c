// The sandbox page: the simulated server drawn like Discord, kept live from the server's event
// stream; the composer, buttons and forms send the visitor's actions, which the sandbox delivers
// to the bot as real interactions. The member switcher changes who "you" are; the language picker
// which Discord language you (and the server) use, which the bot answers in.
import type { PageMessage, PageModal, PageSnapshot, PageUpdate, PageUser } from "../pageTypes.js";
import { ATTACHMENT, hintsFor, optionsOf, parseCommand } from "./composer.js";
import { h } from "./dom.js";
import { setTimestampLocale } from "./markdown.js";
import { avatar, type MessageContext, renderMessage } from "./message.js";
import { renderModal } from "./modal.js";

const sentences = {
  placeholder: (channel: string) => `Message #${channel}`,
  onlySlashCommands: "This sandbox runs the bot's slash commands: type / to see them.",
  unknownCommand: (name: string) => `There is no command /${name} here: type / to see the bot's commands.`,
  missingOption: (name: string) => `Fill in ${name} first.`,
  offline: "Lost the connection to the sandbox; reconnecting…",
  actingAs: "Online",
  switchUser: "Switch user",
  manager: "can manage channels",
  member: "member",
  channelStart: (channel: string) => `Welcome to #${channel}!`,
  channelIntro: (channel: string, topic: string) => `This is the start of the #${channel} channel. ${topic}`,
  online: (count: number) => `Online — ${count}`,
  you: "(you)",
  attach: (option: string) => `${option}:`,
  noImage: "none",
  language: "Discord language (yours and the server's)",
} as const;

interface State {
  snapshot: PageSnapshot;
  messages: Map<string, PageMessage>;
  modals: PageModal[];
}

let state: State | undefined;
let viewer = "";
let channelId = "";
const dismissedMessages = new Set<string>();
const dismissedModals = new Set<string>();
const unread = new Set<string>();
const rendered = new Map<string, HTMLElement>();
let chosenSamples: Record<string, string> = {};
let hintIndex = 0;

const root = document.getElementById("app") as HTMLElement;
const guildName = h("header", { class: "guild-name" });
const channelList = h("nav", { class: "channel-list", "aria-label": "Channels" });
const userPanel = h("div", { class: "user-panel" });
const chatHeader = h("header", { class: "chat-header" });
const messageList = h("div", { class: "messages", role: "log", "aria-live": "polite" });
const hints = h("div", { class: "hints", role: "listbox", hidden: true });
const samplePicker = h("div", { class: "sample-picker", hidden: true });
const composerError = h("div", { class: "composer-error", role: "alert", hidden: true });
const input = h("textarea", {
  class: "composer-input",
  name: "composer",
  rows: 1,
  "aria-label": "Message",
  autocomplete: "off",
});
const memberList = h("aside", { class: "members", "aria-label": "Members" });
const modalRoot = h("div", { class: "modal-root" });
const offline = h("div", { class: "offline", hidden: true }, sentences.offline);

root.append(
  h(
    "nav",
    { class: "guilds", "aria-label": "Servers" },
    h("div", { class: "guild-icon active", title: "mjrelay sandbox" }, "MR"),
  ),
  h("aside", { class: "sidebar" }, guildName, channelList, userPanel),
  h(
    "main",
    { class: "chat" },
    chatHeader,
    offline,
    messageList,
    h(
      "form",
      {
        class: "composer",
        onsubmit: (event: Event) => {
          event.preventDefault();
          void send();
        },
      },
      hints,
      samplePicker,
      composerError,
      h(
        "div",
        { class: "composer-box" },
        h("span", { class: "composer-plus", "aria-hidden": "true" }, "+"),
        input,
      ),
    ),
  ),
  memberList,
);
document.body.append(modalRoot);

// ---- helpers ---------------------------------------------------------------------------------------

function users(): PageUser[] {
  return state ? [state.snapshot.bot, ...state.snapshot.users] : [];
}

function userById(id: string): PageUser | undefined {
  return users().find((user) => user.id === id);
}

function me(): PageUser | undefined {
  return state?.snapshot.users.find((user) => user.id === viewer);
}

function visible(message: PageMessage): boolean {
  return (message.visibleTo === null || message.visibleTo === viewer) && !dismissedMessages.has(message.id);
}

async function post(path: string, body: unknown): Promise<{ ok: boolean; error?: string }> {
  const response = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as { error?: string };
  return response.ok ? { ok: true } : { ok: false, error: answer.error ?? `HTTP ${response.status}` };
}

function showError(text: string | undefined): void {
  composerError.hidden = !text;
  composerError.textContent = text ?? "";
}

const context: MessageContext = {
  get viewerId() {
    return viewer;
  },
  userName: (id) => userById(id)?.name ?? "unknown-user",
  channelName: (id) => state?.snapshot.channels.find((channel) => channel.id === id)?.name ?? "unknown",
  user: userById,
  message: (id) => state?.messages.get(id),
  click(message, customId, button) {
    button.classList.add("pending");
    setTimeout(() => button.classList.remove("pending"), 1500);
    void post("/api/click", { userId: viewer, messageId: message.id, customId }).then((result) =>
      showError(result.error),
    );
  },
  dismiss(message) {
    dismissedMessages.add(message.id);
    rendered.get(message.id)?.remove();
    rendered.delete(message.id);
  },
  jumpTo(messageId) {
    const target = rendered.get(messageId);
    if (!target) return;
    target.scrollIntoView({ block: "center", behavior: "smooth" });
    target.classList.add("highlight");
    setTimeout(() => target.classList.remove("highlight"), 1500);
  },
};

// ---- drawing -----------------------------------------------------------------------------------------

function drawSidebar(): void {
  if (!state) return;
  guildName.textContent = state.snapshot.guild.name;
  channelList.replaceChildren(
    h("div", { class: "category" }, "Text channels"),
    ...state.snapshot.channels.map((channel) =>
      h(
        "a",
        {
          href: `#${channel.name}`,
          class: `channel${channel.id === channelId ? " selected" : ""}${unread.has(channel.id) ? " unread" : ""}`,
          "data-channel-id": channel.id,
          "aria-current": channel.id === channelId ? "page" : undefined,
          onclick: (event: Event) => {
            event.preventDefault();
            selectChannel(channel.id);
          },
        },
        h("span", { class: "hash", "aria-hidden": "true" }, "#"),
        channel.name,
      ),
    ),
  );
  const current = me();
  userPanel.replaceChildren(
    avatar(current),
    h(
      "div",
      { class: "user-panel-name" },
      h("strong", {}, current?.name ?? ""),
      h("span", {}, sentences.actingAs),
    ),
    h(
      "button",
      { type: "button", class: "switch-user", "aria-haspopup": "menu", onclick: toggleUserMenu },
      sentences.switchUser,
    ),
  );
  memberList.replaceChildren(
    h("h2", { class: "members-title" }, sentences.online(users().length)),
    ...users().map((user) =>
      h(
        "div",
        { class: "member" },
        avatar(user, "small"),
        h("span", { class: "member-name", style: user.bot ? undefined : `color:${user.colour}` }, user.name),
        user.bot && h("span", { class: "app-tag" }, "APP"),
        user.id === viewer && h("span", { class: "member-you" }, sentences.you),
      ),
    ),
  );
}

function toggleUserMenu(): void {
  const open = userPanel.querySelector(".user-menu");
  if (open) return open.remove();
  userPanel.append(
    h(
      "div",
      { class: "user-menu", role: "menu" },
      ...(state?.snapshot.users ?? []).map((user) =>
        h(
          "button",
          {
            type: "button",
            role: "menuitem",
            class: `user-choice${user.id === viewer ? " current" : ""}`,
            "data-user-id": user.id,
            onclick: () => switchUser(user.id),
          },
          avatar(user, "small"),
          h("span", {}, user.name),
          h("small", {}, user.manager ? sentences.manager : sentences.member),
        ),
      ),
    ),
  );
}

function switchUser(userId: string): void {
  viewer = userId;
  localStorage.setItem("mjrelay-sandbox-user", userId);
  drawAll();
}

function selectChannel(id: string): void {
  channelId = id;
  unread.delete(id);
  localStorage.setItem("mjrelay-sandbox-channel", id);
  chosenSamples = {};
  drawAll();
  input.focus();
}

function drawHeader(): void {
  const channel = state?.snapshot.channels.find((candidate) => candidate.id === channelId);
  chatHeader.replaceChildren(
    h("span", { class: "hash", "aria-hidden": "true" }, "#"),
    h("h1", {}, channel?.name ?? ""),
    h("span", { class: "topic" }, channel?.topic ?? ""),
    languagePicker(),
  );
  input.placeholder = sentences.placeholder(channel?.name ?? "");
}

function languagePicker(): HTMLSelectElement {
  const current = state?.snapshot.locale ?? "en-US";
  return h(
    "select",
    {
      class: "language",
      name: "language",
      "aria-label": sentences.language,
      title: sentences.language,
      onchange: (event: Event) => {
        const locale = (event.target as HTMLSelectElement).value;
        void post("/api/locale", { locale }).then((result) => showError(result.error));
      },
    },
    ...(state?.snapshot.locales ?? []).map((locale) =>
      h("option", { value: locale.code, selected: locale.code === current }, locale.name),
    ),
  );
}

/** The page shows Discord timestamps the way a client in the chosen language does. */
function useLocale(locale: string): void {
  document.documentElement.lang = locale;
  setTimestampLocale(locale);
}

function nearBottom(): boolean {
  return messageList.scrollHeight - messageList.scrollTop - messageList.clientHeight < 120;
}

/** Whether the visitor reads the newest messages: then they stay in view as pictures load and messages come. */
let pinned = true;
messageList.addEventListener("scroll", () => {
  pinned = nearBottom();
});
messageList.addEventListener(
  "load",
  () => {
    if (pinned) messageList.scrollTop = messageList.scrollHeight;
  },
  true,
);

function drawMessages(): void {
  rendered.clear();
  const channel = state?.snapshot.channels.find((candidate) => candidate.id === channelId);
  messageList.replaceChildren(
    h(
      "div",
      { class: "channel-intro" },
      h("div", { class: "channel-intro-icon", "aria-hidden": "true" }, "#"),
      h("h2", {}, sentences.channelStart(channel?.name ?? "")),
      h("p", {}, sentences.channelIntro(channel?.name ?? "", channel?.topic ?? "")),
    ),
  );
  for (const message of sorted()) placeMessage(message);
  messageList.scrollTop = messageList.scrollHeight;
  pinned = true;
}

function sorted(): PageMessage[] {
  return [...(state?.messages.values() ?? [])]
    .filter((message) => message.channelId === channelId && visible(message))
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

/** Draws a message where its id puts it, replacing its earlier drawing. */
function placeMessage(message: PageMessage): void {
  const element = renderMessage(message, context);
  const earlier = rendered.get(message.id);
  rendered.set(message.id, element);
  if (earlier) return earlier.replaceWith(element);
  const after = [...rendered.entries()].find(
    ([id]) => id !== message.id && BigInt(id) > BigInt(message.id),
  )?.[1];
  if (after?.isConnected) messageList.insertBefore(element, after);
  else messageList.append(element);
}

function drawModal(): void {
  const modal = state?.modals.find(
    (candidate) => candidate.userId === viewer && !dismissedModals.has(candidate.interactionId),
  );
  const shown = modalRoot.firstElementChild as HTMLElement | null;
  if (!modal) return void modalRoot.replaceChildren();
  if (shown?.dataset.interactionId === modal.interactionId) return;
  const element = renderModal(modal, {
    submit: (fields) => {
      dismissedModals.add(modal.interactionId);
      drawModal();
      void post("/api/modal", { userId: viewer, interactionId: modal.interactionId, fields }).then((result) =>
        showError(result.error),
      );
    },
    cancel: () => {
      dismissedModals.add(modal.interactionId);
      drawModal();
      void post("/api/modal/dismiss", { userId: viewer, interactionId: modal.interactionId });
    },
  });
  element.dataset.interactionId = modal.interactionId;
  modalRoot.replaceChildren(element);
  element.querySelector<HTMLElement>(".modal-input")?.focus();
}

function drawComposerHelp(): void {
  const commands = state?.snapshot.commands ?? [];
  const list = hintsFor(input.value, commands, me()?.manager ?? false);
  hintIndex = Math.min(hintIndex, Math.max(0, list.length - 1));
  hints.hidden = list.length === 0;
  hints.replaceChildren(
    ...list.map((hint, index) =>
      h(
        "div",
        {
          class: `hint${index === hintIndex ? " selected" : ""}${hint.completion ? "" : " info"}`,
          role: "option",
          "aria-selected": index === hintIndex ? "true" : "false",
          onmousedown: (event: Event) => {
            event.preventDefault();
            if (hint.completion) complete(hint.completion);
          },
        },
        h("strong", {}, hint.title),
        h("span", {}, hint.detail),
      ),
    ),
  );
  const parsed = parseCommand(input.value, commands);
  const attachmentOptions = parsed ? optionsOf(parsed).filter((option) => option.type === ATTACHMENT) : [];
  samplePicker.hidden = attachmentOptions.length === 0;
  const samples = state?.snapshot.samples ?? [];
  samplePicker.replaceChildren(
    ...attachmentOptions.map((option, position) => {
      if (!(option.name in chosenSamples))
        chosenSamples[option.name] = option.required ? (samples[position % samples.length]?.name ?? "") : "";
      return h(
        "div",
        { class: "sample-option", "data-option": option.name },
        h("span", { class: "sample-label" }, sentences.attach(option.name)),
        ...samples.map((sample) =>
          h(
            "button",
            {
              type: "button",
              class: `sample${chosenSamples[option.name] === sample.name ? " chosen" : ""}`,
              title: sample.caption,
              "data-sample": sample.name,
              onclick: () => {
                chosenSamples[option.name] = sample.name;
                drawComposerHelp();
              },
            },
            h("img", { src: sample.url, alt: sample.caption }),
          ),
        ),
        !option.required &&
          h(
            "button",
            {
              type: "button",
              class: `sample none${chosenSamples[option.name] ? "" : " chosen"}`,
              onclick: () => {
                chosenSamples[option.name] = "";
                drawComposerHelp();
              },
            },
            sentences.noImage,
          ),
      );
    }),
  );
}

function complete(completion: string): void {
  input.value = completion;
  hintIndex = 0;
  drawComposerHelp();
  input.focus();
}

function drawAll(): void {
  drawSidebar();
  drawHeader();
  drawMessages();
  drawModal();
  drawComposerHelp();
}

// ---- sending -------------------------------------------------------------------------------------------

async function send(): Promise<void> {
  const text = input.value.trim();
  if (!text) return;
  if (!text.startsWith("/")) return showError(sentences.onlySlashCommands);
  const commands = state?.snapshot.commands ?? [];
  const parsed = parseCommand(text, commands);
  if (!parsed) return showError(sentences.unknownCommand(/^\/(\S*)/.exec(text)?.[1] ?? ""));
  const options = { ...parsed.options };
  for (const option of optionsOf(parsed)) {
    if (option.type === ATTACHMENT && chosenSamples[option.name])
      options[option.name] = chosenSamples[option.name] as string;
    if (option.required && !options[option.name]) return showError(sentences.missingOption(option.name));
  }
  const result = await post("/api/command", {
    userId: viewer,
    channelId,
    name: parsed.command.name,
    ...(parsed.subcommand ? { subcommand: parsed.subcommand.name } : {}),
    options,
  });
  if (!result.ok) return showError(result.error);
  showError(undefined);
  input.value = "";
  chosenSamples = {};
  drawComposerHelp();
}

input.addEventListener("input", () => {
  showError(undefined);
  hintIndex = 0;
  drawComposerHelp();
});
input.addEventListener("keydown", (event) => {
  const options = [...hints.querySelectorAll<HTMLElement>(".hint")];
  if (!hints.hidden && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
    event.preventDefault();
    hintIndex =
      (hintIndex + (event.key === "ArrowDown" ? 1 : options.length - 1)) % Math.max(1, options.length);
    drawComposerHelp();
    return;
  }
  const list = hintsFor(input.value, state?.snapshot.commands ?? [], me()?.manager ?? false);
  const chosen = list[hintIndex]?.completion;
  // Tab, or Enter on a name not typed out yet, takes the hint (as Discord's picker does).
  if (
    chosen &&
    (event.key === "Tab" ||
      (event.key === "Enter" && !parseCommand(input.value, state?.snapshot.commands ?? [])))
  ) {
    event.preventDefault();
    complete(chosen);
    return;
  }
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    void send();
  }
});

// ---- live state --------------------------------------------------------------------------------------

function applySnapshot(snapshot: PageSnapshot): void {
  state = {
    snapshot,
    messages: new Map(snapshot.messages.map((message) => [message.id, message])),
    modals: snapshot.modals,
  };
  const storedUser = localStorage.getItem("mjrelay-sandbox-user");
  viewer =
    snapshot.users.find((user) => user.id === (viewer || storedUser))?.id ?? snapshot.users[0]?.id ?? "";
  const storedChannel = localStorage.getItem("mjrelay-sandbox-channel");
  channelId =
    snapshot.channels.find((channel) => channel.id === (channelId || storedChannel))?.id ??
    snapshot.channels[0]?.id ??
    "";
  useLocale(snapshot.locale);
  drawAll();
}

function applyUpdate(update: PageUpdate): void {
  if (!state) return;
  // Like Discord: stay at the newest message if already there, and jump to the answers to your own actions.
  let stick = pinned;
  for (const id of update.removed) {
    state.messages.delete(id);
    rendered.get(id)?.remove();
    rendered.delete(id);
  }
  let sidebarChanged = false;
  for (const message of update.messages) {
    const known = state.messages.has(message.id);
    state.messages.set(message.id, message);
    if (message.channelId !== channelId) {
      if (!known && visible(message) && !unread.has(message.channelId)) {
        unread.add(message.channelId);
        sidebarChanged = true;
      }
      continue;
    }
    if (!visible(message)) continue;
    placeMessage(message);
    if (!known && (message.visibleTo === viewer || message.usedCommand?.userId === viewer)) stick = true;
  }
  // A reply shows a line of the message it answers: redraw replies whose original changed.
  for (const message of state.messages.values()) {
    if (
      message.replyTo &&
      update.messages.some((changed) => changed.id === message.replyTo) &&
      rendered.has(message.id)
    )
      placeMessage(message);
  }
  state.modals = update.modals;
  if (update.locale) {
    state.snapshot.locale = update.locale;
    useLocale(update.locale);
    // Timestamps and the composer's command descriptions are redrawn in the new language.
    drawAll();
  }
  if (update.commands) {
    state.snapshot.commands = update.commands;
    drawComposerHelp();
  }
  if (sidebarChanged) drawSidebar();
  drawModal();
  if (stick) {
    messageList.scrollTop = messageList.scrollHeight;
    pinned = true;
  }
}

function connect(): void {
  const events = new EventSource("/events");
  events.addEventListener("snapshot", (event) => {
    offline.hidden = true;
    applySnapshot(JSON.parse((event as MessageEvent<string>).data) as PageSnapshot);
  });
  events.addEventListener("update", (event) =>
    applyUpdate(JSON.parse((event as MessageEvent<string>).data) as PageUpdate),
  );
  // EventSource reconnects by itself; the next snapshot brings the page up to date.
  events.addEventListener("error", () => {
    offline.hidden = events.readyState === EventSource.OPEN;
  });
}

connect();

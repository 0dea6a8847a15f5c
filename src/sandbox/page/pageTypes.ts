// What the sandbox page server sends the page (types only: the browser code imports them too).

/** A Discord language the visitor can use the sandbox in. */
export interface PageLocale {
  /** Discord's locale code, e.g. zh-CN. */
  code: string;
  /** Its name in itself, e.g. 中文. */
  name: string;
}

export interface PageUser {
  id: string;
  name: string;
  /** Avatar colour, CSS. */
  colour: string;
  bot: boolean;
  /** Whether the member may manage channels (what /mjfeed asks for). */
  manager: boolean;
}

export interface PageChannel {
  id: string;
  name: string;
  topic: string;
}

export interface PageCommandOption {
  name: string;
  description: string;
  /** Discord's option types: 1 subcommand, 3 string, 4 integer, 5 boolean, 10 number, 11 attachment. */
  type: number;
  required: boolean;
  choices: { name: string; value: string | number }[];
  options: PageCommandOption[];
}

export interface PageCommand {
  name: string;
  description: string;
  options: PageCommandOption[];
  /** Discord hides a command from members without these permissions (a bit set), null for everyone. */
  defaultMemberPermissions: string | null;
}

/** A message as Discord sent it (embeds, components, attachments untouched), plus what the client shows around it. */
export interface PageMessage {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  attachments: Record<string, unknown>[];
  timestamp: string;
  editedTimestamp: string | null;
  flags: number;
  mentions: string[];
  /** An ephemeral message: only this user sees it. */
  visibleTo: string | null;
  /** A deferred reply that has not been filled yet ("is thinking…"). */
  loading: boolean;
  /** The message this one replies to. */
  replyTo: string | null;
  /** The slash command this message answers, shown above it as "<user> used /name". */
  usedCommand: { userId: string; name: string } | null;
}

/** A form the bot opened for a user (interaction callback type 9). */
export interface PageModal {
  interactionId: string;
  userId: string;
  channelId: string;
  messageId: string | null;
  custom_id: string;
  title: string;
  components: Record<string, unknown>[];
}

export interface PageSample {
  name: string;
  url: string;
  /** What the picture shows. */
  caption: string;
}

export interface PageSnapshot {
  guild: { name: string };
  /**
   * The visitor's Discord language (every interaction's `locale`), which is the simulated server's
   * preferred locale too, so the bot's public messages speak it as well.
   */
  locale: string;
  locales: PageLocale[];
  bot: PageUser;
  users: PageUser[];
  channels: PageChannel[];
  commands: PageCommand[];
  messages: PageMessage[];
  modals: PageModal[];
  samples: PageSample[];
}

export interface PageUpdate {
  messages: PageMessage[];
  removed: string[];
  modals: PageModal[];
  commands?: PageCommand[];
  locale?: string;
}

/** POST /api/command: options by name as typed; attachment options name a sample. */
export interface CommandRequest {
  userId: string;
  channelId: string;
  name: string;
  subcommand?: string;
  options: Record<string, string>;
}

export interface ClickRequest {
  userId: string;
  messageId: string;
  customId: string;
}

export interface ModalRequest {
  userId: string;
  interactionId: string;
  fields: Record<string, string>;
}

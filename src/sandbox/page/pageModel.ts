// The page's view of the simulated Discord, and what a visitor does in it. Views are built from
// the fake Discord's own record (messages, edits, interaction callbacks); actions become real
// interactions through its gateway (sendCommand, clickButton, submitModal), as a Discord client's would.
import type { FakeDiscord, FakeMessage, InteractionRecord } from "../discord/fakeDiscord.js";
import type { SandboxMember } from "../world.js";
import type {
  ClickRequest,
  CommandRequest,
  ModalRequest,
  PageChannel,
  PageCommand,
  PageCommandOption,
  PageLocale,
  PageMessage,
  PageModal,
  PageSnapshot,
  PageUpdate,
  PageUser,
} from "./pageTypes.js";
import type { SampleImage } from "./samples.js";

type Json = Record<string, unknown>;

/** The languages the visitor can be a Discord member of (the bot has a catalogue for each). */
const PAGE_LOCALES: readonly PageLocale[] = [
  { code: "en-US", name: "English" },
  { code: "zh-CN", name: "中文" },
];

const EPHEMERAL = 64;
const LOADING = 128;

/** A request the page sent that Discord's own client would never send; its message is shown to the visitor. */
export class PageRequestError extends Error {
  override name = "PageRequestError";
}

const refusals = {
  unknownUser: "There is no such member in this server.",
  unknownChannel: "There is no such channel.",
  unknownCommand: (name: string) => `/${name} is not one of the bot's commands.`,
  unknownSubcommand: (name: string, choices: string) => `/${name} needs one of: ${choices}.`,
  missingOption: (name: string) => `The option ${name} is required.`,
  notANumber: (name: string) => `The option ${name} must be a number.`,
  notAChoice: (name: string, choices: string) => `The option ${name} must be one of: ${choices}.`,
  notABoolean: (name: string) => `The option ${name} must be true or false.`,
  unknownSample: (name: string) => `There is no sample image ${name}.`,
  unknownMessage: "That message is gone.",
  unknownButton: "That message has no such button.",
  disabledButton: "That button is disabled.",
  unknownForm: "That form is closed.",
  unknownLocale: `The sandbox speaks ${PAGE_LOCALES.map((locale) => locale.code).join(" and ")}.`,
} as const;

/** A command's, option's or choice's text as a client in `locale` shows it. */
function localized(item: Json, field: "name" | "description", locale: string): string {
  const localizations = item[`${field}_localizations`] as Record<string, unknown> | null | undefined;
  const text = localizations?.[locale];
  return typeof text === "string" && text ? text : String(item[field] ?? "");
}

function toCommandOption(option: Json, locale: string): PageCommandOption {
  return {
    name: String(option.name ?? ""),
    description: localized(option, "description", locale),
    type: Number(option.type ?? 3),
    required: option.required === true,
    choices: Array.isArray(option.choices)
      ? (option.choices as Json[]).map((choice) => ({
          name: localized(choice, "name", locale),
          value: typeof choice.value === "number" ? choice.value : String(choice.value ?? ""),
        }))
      : [],
    options: Array.isArray(option.options)
      ? (option.options as Json[]).map((sub) => toCommandOption(sub, locale))
      : [],
  };
}

function buttonsOf(components: unknown): Json[] {
  const found: Json[] = [];
  const walk = (items: unknown) => {
    if (!Array.isArray(items)) return;
    for (const item of items as Json[]) {
      if (item.type === 2) found.push(item);
      walk(item.components);
      if (item.accessory) walk([item.accessory]);
    }
  };
  walk(components);
  return found;
}

export class PageModel {
  readonly #discord: FakeDiscord;
  readonly #members: readonly SandboxMember[];
  readonly #channels: readonly PageChannel[];
  readonly #samples: readonly SampleImage[];
  readonly #guildName: string;
  /** What each interaction the page sent was: the command it ran, or the button it clicked. */
  readonly #commandsRun = new Map<string, { userId: string; name: string }>();
  readonly #submittedForms = new Set<string>();
  /** What each client has been sent, to send only what changed. */
  readonly #sent = new Map<string, string>();
  #sentModals = "";
  #sentCommands = "";
  /** The visitor's language as last sent to the page (see #locale). */
  #sentLocale = "en-US";

  constructor(options: {
    discord: FakeDiscord;
    guildName: string;
    members: readonly SandboxMember[];
    channels: readonly PageChannel[];
    samples: readonly SampleImage[];
  }) {
    this.#discord = options.discord;
    this.#guildName = options.guildName;
    this.#members = options.members;
    this.#channels = options.channels;
    this.#samples = options.samples;
  }

  // ---- views -------------------------------------------------------------------------------------

  snapshot(): PageSnapshot {
    const bot: PageUser = {
      id: this.#discord.botUserId,
      name: "mjrelay",
      colour: "#5865f2",
      bot: true,
      manager: false,
    };
    return {
      guild: { name: this.#guildName },
      locale: this.#locale,
      locales: [...PAGE_LOCALES],
      bot,
      users: this.#members.map(({ permissions: _p, ...user }) => user),
      channels: [...this.#channels],
      commands: this.#commands(),
      messages: this.#messages(),
      modals: this.#modals(),
      samples: this.#samples.map((sample) => ({
        name: sample.name,
        url: `/samples/${sample.name}`,
        caption: sample.prompt,
      })),
    };
  }

  /** What changed since the last call (for every open page alike), or null when nothing did. */
  changes(): PageUpdate | null {
    const messages: PageMessage[] = [];
    const seen = new Set<string>();
    for (const message of this.#messages()) {
      seen.add(message.id);
      const json = JSON.stringify(message);
      if (this.#sent.get(message.id) === json) continue;
      this.#sent.set(message.id, json);
      messages.push(message);
    }
    const removed = [...this.#sent.keys()].filter((id) => !seen.has(id));
    for (const id of removed) this.#sent.delete(id);
    const modals = this.#modals();
    const modalsJson = JSON.stringify(modals);
    const commands = this.#commands();
    const commandsJson = JSON.stringify(commands);
    const modalsChanged = modalsJson !== this.#sentModals;
    const commandsChanged = commandsJson !== this.#sentCommands;
    this.#sentModals = modalsJson;
    this.#sentCommands = commandsJson;
    const localeChanged = this.#locale !== this.#sentLocale;
    this.#sentLocale = this.#locale;
    if (messages.length === 0 && removed.length === 0 && !modalsChanged && !commandsChanged && !localeChanged)
      return null;
    return {
      messages,
      removed,
      modals,
      ...(commandsChanged ? { commands } : {}),
      ...(localeChanged ? { locale: this.#locale } : {}),
    };
  }

  #commands(): PageCommand[] {
    const registered =
      this.#discord.guildCommands.length > 0 ? this.#discord.guildCommands : this.#discord.commands;
    return registered.map((command) => ({
      name: String(command.name ?? ""),
      description: localized(command, "description", this.#locale),
      options: Array.isArray(command.options)
        ? (command.options as Json[]).map((option) => toCommandOption(option, this.#locale))
        : [],
      defaultMemberPermissions:
        command.default_member_permissions === undefined || command.default_member_permissions === null
          ? null
          : String(command.default_member_permissions),
    }));
  }

  #messages(): PageMessage[] {
    const channels = new Set(this.#channels.map((channel) => channel.id));
    return [...this.#discord.messages.values()]
      .filter((message) => channels.has(message.channel_id))
      .map((message) => this.#pageMessage(message));
  }

  // A used button is shown as the bot itself marks it (Midjourney's blue); the page adds no mark.
  #pageMessage(message: FakeMessage): PageMessage {
    const interaction = message.interactionId
      ? this.#discord.interactions.get(message.interactionId)
      : undefined;
    const reference = message.message_reference as { message_id?: string } | undefined;
    return {
      id: message.id,
      channelId: message.channel_id,
      authorId: String(message.author.id ?? ""),
      content: message.content,
      embeds: message.embeds,
      components: message.components,
      attachments: message.attachments,
      timestamp: message.timestamp,
      editedTimestamp: message.edited_timestamp,
      flags: message.flags,
      mentions: message.mentions.map((user) => String(user.id)),
      visibleTo:
        message.ephemeral || (message.flags & EPHEMERAL) !== 0 ? (interaction?.userId ?? null) : null,
      loading: (message.flags & LOADING) !== 0,
      replyTo: reference?.message_id ?? null,
      usedCommand: (message.interactionId && this.#commandsRun.get(message.interactionId)) || null,
    };
  }

  #modals(): PageModal[] {
    const open: PageModal[] = [];
    for (const record of this.#discord.interactions.values()) {
      if (!record.modal || this.#submittedForms.has(record.id)) continue;
      open.push({
        interactionId: record.id,
        userId: record.userId,
        channelId: record.channelId,
        messageId: record.messageId ?? null,
        custom_id: String(record.modal.custom_id ?? ""),
        title: String(record.modal.title ?? ""),
        components: Array.isArray(record.modal.components) ? (record.modal.components as Json[]) : [],
      });
    }
    return open;
  }

  // ---- actions -----------------------------------------------------------------------------------

  #member(userId: string): SandboxMember {
    const member = this.#members.find((candidate) => candidate.id === userId);
    if (!member) throw new PageRequestError(refusals.unknownUser);
    return member;
  }

  #asUser(member: SandboxMember, channelId: string) {
    return {
      userId: member.id,
      username: member.name,
      permissions: member.permissions,
      channelId,
      locale: this.#locale,
    };
  }

  /** The visitor's Discord language, which is the server's preferred locale (see PageSnapshot.locale). */
  get #locale(): string {
    return this.#discord.guildLocale;
  }

  /**
   * The visitor picks the language they use Discord in; the simulated server's preferred locale
   * follows (GUILD_UPDATE), so the bot's public messages speak it too, as in a server of theirs.
   */
  setLocale(locale: string): void {
    if (!PAGE_LOCALES.some((candidate) => candidate.code === locale))
      throw new PageRequestError(refusals.unknownLocale);
    this.#discord.setGuildLocale(locale);
  }

  /** Runs a slash command as `userId` typed it, with its options converted by the registered definition. */
  async command(request: CommandRequest): Promise<InteractionRecord> {
    const member = this.#member(request.userId);
    if (!this.#channels.some((channel) => channel.id === request.channelId))
      throw new PageRequestError(refusals.unknownChannel);
    const command = this.#commands().find((candidate) => candidate.name === request.name);
    if (!command) throw new PageRequestError(refusals.unknownCommand(request.name));
    const subcommands = command.options.filter((option) => option.type === 1);
    let options: Json[];
    const attachments: Record<string, { url: string; filename: string; content_type: string; size: number }> =
      {};
    let shownName = command.name;
    if (subcommands.length > 0) {
      const sub = subcommands.find((option) => option.name === request.subcommand);
      if (!sub)
        throw new PageRequestError(
          refusals.unknownSubcommand(command.name, subcommands.map((option) => option.name).join(", ")),
        );
      shownName = `${command.name} ${sub.name}`;
      options = [
        { name: sub.name, type: 1, options: this.#optionValues(sub.options, request.options, attachments) },
      ];
    } else {
      options = this.#optionValues(command.options, request.options, attachments);
    }
    const record = await this.#discord.sendCommand(command.name, options, {
      ...this.#asUser(member, request.channelId),
      attachments,
    });
    this.#commandsRun.set(record.id, { userId: member.id, name: shownName });
    return record;
  }

  #optionValues(
    definitions: PageCommandOption[],
    typed: Record<string, string>,
    attachments: Record<string, { url: string; filename: string; content_type: string; size: number }>,
  ): Json[] {
    const values: Json[] = [];
    for (const option of definitions) {
      const raw = typed[option.name]?.trim() ?? "";
      if (!raw) {
        if (option.required) throw new PageRequestError(refusals.missingOption(option.name));
        continue;
      }
      if (option.type === 11) {
        const sample = this.#samples.find((candidate) => candidate.name === raw);
        if (!sample) throw new PageRequestError(refusals.unknownSample(raw));
        attachments[option.name] = this.#discord.addAttachment(sample.name, "image/png", sample.bytes);
        continue;
      }
      let value: string | number | boolean = raw;
      if (option.type === 4 || option.type === 10) {
        value = Number(raw);
        if (!Number.isFinite(value) || (option.type === 4 && !Number.isInteger(value)))
          throw new PageRequestError(refusals.notANumber(option.name));
      } else if (option.type === 5) {
        if (!/^(true|false)$/i.test(raw)) throw new PageRequestError(refusals.notABoolean(option.name));
        value = raw.toLowerCase() === "true";
      }
      if (option.choices.length > 0) {
        const choice = option.choices.find(
          (candidate) =>
            String(candidate.value).toLowerCase() === raw.toLowerCase() ||
            candidate.name.toLowerCase() === raw.toLowerCase(),
        );
        if (!choice)
          throw new PageRequestError(
            refusals.notAChoice(option.name, option.choices.map((candidate) => candidate.name).join(", ")),
          );
        value = choice.value;
      }
      values.push({ name: option.name, type: option.type, value });
    }
    return values;
  }

  /** Clicks a button on a message the member can see. */
  async click(request: ClickRequest): Promise<InteractionRecord> {
    const member = this.#member(request.userId);
    const message = this.#discord.messages.get(request.messageId);
    const view = message ? this.#pageMessage(message) : undefined;
    if (!message || !view || (view.visibleTo !== null && view.visibleTo !== member.id))
      throw new PageRequestError(refusals.unknownMessage);
    const button = buttonsOf(message.components).find(
      (candidate) => candidate.custom_id === request.customId,
    );
    if (!button) throw new PageRequestError(refusals.unknownButton);
    if (button.disabled === true) throw new PageRequestError(refusals.disabledButton);
    return this.#discord.clickButton(message.id, request.customId, this.#asUser(member, message.channel_id));
  }

  /** Submits the form the bot opened for this member. */
  async submitModal(request: ModalRequest): Promise<InteractionRecord> {
    const member = this.#member(request.userId);
    const opened = this.#discord.interactions.get(request.interactionId);
    if (!opened?.modal || opened.userId !== member.id || this.#submittedForms.has(opened.id))
      throw new PageRequestError(refusals.unknownForm);
    this.#submittedForms.add(opened.id);
    return this.#discord.submitModal(String(opened.modal.custom_id ?? ""), request.fields, {
      ...this.#asUser(member, opened.channelId),
      ...(opened.messageId ? { messageId: opened.messageId } : {}),
    });
  }

  /** Closes a form without submitting it (Discord's Cancel). */
  dismissModal(request: { userId: string; interactionId: string }): void {
    const opened = this.#discord.interactions.get(request.interactionId);
    if (opened?.modal && opened.userId === request.userId) this.#submittedForms.add(opened.id);
  }
}

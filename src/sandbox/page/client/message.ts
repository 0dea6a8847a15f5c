// One Discord message as the Discord client draws it: who sent it and why (a reply, a command),
// its text, embeds (several with one url make one gallery), attachments, and its components
// (buttons coloured by style, used ones marked; link buttons; selects; Components V2 layouts).
import type { PageMessage, PageUser } from "../pageTypes.js";
import { h, list, obj, safeUrl, str } from "./dom.js";
import { type MarkdownContext, markdown } from "./markdown.js";

export interface MessageContext extends MarkdownContext {
  user(id: string): PageUser | undefined;
  message(id: string): PageMessage | undefined;
  click(message: PageMessage, customId: string, button: HTMLElement): void;
  dismiss(message: PageMessage): void;
  jumpTo(messageId: string): void;
}

const IS_COMPONENTS_V2 = 1 << 15;
const BUTTON_STYLES: Record<number, string> = {
  1: "primary",
  2: "secondary",
  3: "success",
  4: "danger",
  5: "link",
  6: "premium",
};

export function avatar(user: PageUser | undefined, size: "large" | "small" = "large"): HTMLElement {
  const name = user?.name ?? "?";
  return h(
    "div",
    {
      class: `avatar avatar-${size}`,
      style: `background:${user?.colour ?? "#5865f2"}`,
      "aria-hidden": "true",
    },
    user?.bot ? h("span", { class: "avatar-bot" }, "⛵") : name.charAt(0).toUpperCase(),
  );
}

function clock(iso: string): string {
  const date = new Date(iso);
  const time = date.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" });
  const today = new Date();
  if (date.toDateString() === today.toDateString()) return `Today at ${time}`;
  return `${date.toLocaleDateString("en-US")} ${time}`;
}

/** "#rrggbb" of an embed's colour integer. */
function colour(value: unknown): string | undefined {
  return typeof value === "number" ? `#${value.toString(16).padStart(6, "0")}` : undefined;
}

/** The url of an image an embed or component points at: http(s), or attachment://<name> of this message. */
function imageUrl(value: unknown, message: PageMessage): string | undefined {
  const text = str(value);
  if (text.startsWith("attachment://")) {
    const name = text.slice("attachment://".length);
    return safeUrl(message.attachments.find((attachment) => str(attachment.filename) === name)?.url);
  }
  return safeUrl(text);
}

function image(url: string, alt: string, className = "embed-image"): HTMLElement {
  return h(
    "a",
    { href: url, target: "_blank", rel: "noreferrer noopener", class: `${className}-link` },
    h("img", { class: className, src: url, alt }),
  );
}

function gallery(urls: string[], alt: string): HTMLElement {
  if (urls.length === 1) return image(urls[0] as string, alt);
  return h(
    "div",
    { class: `gallery gallery-${Math.min(urls.length, 4)}` },
    urls.slice(0, 10).map((url) => image(url, alt, "gallery-image")),
  );
}

function renderEmbed(
  embed: Record<string, unknown>,
  galleryUrls: string[],
  message: PageMessage,
  context: MessageContext,
): HTMLElement {
  const author = obj(embed.author);
  const footer = obj(embed.footer);
  const thumbnail = imageUrl(obj(embed.thumbnail)?.url, message);
  const video = safeUrl(obj(embed.video)?.url);
  const titleUrl = safeUrl(embed.url);
  const title = str(embed.title);
  const fields = list(embed.fields);
  const body = h(
    "div",
    { class: "embed-body" },
    author &&
      h(
        "div",
        { class: "embed-author" },
        safeUrl(author.icon_url) &&
          h("img", { class: "embed-author-icon", src: safeUrl(author.icon_url) as string, alt: "" }),
        safeUrl(author.url)
          ? h(
              "a",
              { href: safeUrl(author.url) as string, target: "_blank", rel: "noreferrer noopener" },
              str(author.name),
            )
          : str(author.name),
      ),
    title &&
      h(
        "div",
        { class: "embed-title" },
        titleUrl
          ? h("a", { href: titleUrl, target: "_blank", rel: "noreferrer noopener" }, markdown(title, context))
          : markdown(title, context),
      ),
    str(embed.description) &&
      h("div", { class: "embed-description" }, markdown(str(embed.description), context)),
    fields.length > 0 &&
      h(
        "div",
        { class: "embed-fields" },
        fields.map((field) =>
          h(
            "div",
            { class: `embed-field${field.inline === true ? " inline" : ""}` },
            h("div", { class: "embed-field-name" }, markdown(str(field.name), context)),
            h("div", { class: "embed-field-value" }, markdown(str(field.value), context)),
          ),
        ),
      ),
    galleryUrls.length > 0 && h("div", { class: "embed-media" }, gallery(galleryUrls, title || "image")),
    video && h("video", { class: "embed-video", src: video, controls: true, preload: "metadata" }),
    (footer !== undefined || Boolean(embed.timestamp)) &&
      h(
        "div",
        { class: "embed-footer" },
        safeUrl(footer?.icon_url) &&
          h("img", { class: "embed-footer-icon", src: safeUrl(footer?.icon_url) as string, alt: "" }),
        h(
          "span",
          {},
          [str(footer?.text), embed.timestamp ? clock(str(embed.timestamp)) : ""].filter(Boolean).join(" • "),
        ),
      ),
  );
  return h(
    "div",
    { class: "embed", style: `--embed-colour:${colour(embed.color) ?? "#1e1f22"}` },
    body,
    thumbnail && h("img", { class: "embed-thumbnail", src: thumbnail, alt: "" }),
  );
}

/** Discord merges embeds that share a url into the first one's image gallery. */
function renderEmbeds(message: PageMessage, context: MessageContext): HTMLElement | null {
  if (message.embeds.length === 0) return null;
  const out: HTMLElement[] = [];
  const merged = new Set<number>();
  message.embeds.forEach((embed, index) => {
    if (merged.has(index)) return;
    const urls: string[] = [];
    const own = imageUrl(obj(embed.image)?.url, message);
    if (own) urls.push(own);
    const shared = str(embed.url);
    if (shared) {
      message.embeds.forEach((other, otherIndex) => {
        if (otherIndex <= index || str(other.url) !== shared) return;
        const url = imageUrl(obj(other.image)?.url, message);
        if (url) urls.push(url);
        merged.add(otherIndex);
      });
    }
    out.push(renderEmbed(embed, urls, message, context));
  });
  return h("div", { class: "embeds" }, out);
}

function renderAttachments(message: PageMessage): HTMLElement | null {
  // Images an embed already shows are not shown twice: Discord resolves `attachment://<name>` to
  // the file's own url, and the page may get either form.
  const shownByEmbeds = new Set(
    message.embeds.flatMap((embed) => [str(obj(embed.image)?.url), str(obj(embed.thumbnail)?.url)]),
  );
  const attachments = message.attachments.filter(
    (attachment) =>
      !shownByEmbeds.has(`attachment://${str(attachment.filename)}`) &&
      !shownByEmbeds.has(str(attachment.url)),
  );
  if (attachments.length === 0) return null;
  const images = attachments.filter((attachment) => str(attachment.content_type).startsWith("image/"));
  const others = attachments.filter((attachment) => !images.includes(attachment));
  return h(
    "div",
    { class: "attachments" },
    images.length > 0 &&
      gallery(
        images.map((attachment) => safeUrl(attachment.url)).filter((url) => url !== undefined),
        "attachment",
      ),
    others.map((attachment) => {
      const url = safeUrl(attachment.url);
      const name = str(attachment.filename) || "file";
      if (str(attachment.content_type).startsWith("video/") && url)
        return h("video", { class: "attachment-video", src: url, controls: true, preload: "metadata" });
      const size = Number(attachment.size ?? 0);
      return h(
        "div",
        { class: "attachment-file" },
        h("span", { class: "file-icon", "aria-hidden": "true" }, "📄"),
        h(
          "div",
          {},
          url ? h("a", { href: url, target: "_blank", rel: "noreferrer noopener" }, name) : name,
          h("div", { class: "file-size" }, fileSize(size)),
        ),
      );
    }),
  );
}

function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(2)} KB` : `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

function emoji(value: unknown): Node | null {
  const data = obj(value);
  if (!data) return null;
  // Custom emoji live on Discord's CDN, which the sandbox never reaches: show their name instead.
  const name = str(data.name);
  if (!name) return null;
  return h("span", { class: data.id ? "emoji custom-emoji" : "emoji" }, data.id ? `:${name}:` : name);
}

function renderButton(
  component: Record<string, unknown>,
  message: PageMessage,
  context: MessageContext,
): HTMLElement {
  const style = BUTTON_STYLES[Number(component.style)] ?? "secondary";
  const label = str(component.label);
  const inside = [emoji(component.emoji), label && h("span", { class: "label" }, label)];
  const url = safeUrl(component.url);
  if (style === "link" && url) {
    return h(
      "a",
      { class: "mj-button link", href: url, target: "_blank", rel: "noreferrer noopener" },
      inside,
      h("span", { class: "link-icon", "aria-hidden": "true" }, "↗"),
    );
  }
  const customId = str(component.custom_id);
  const used = message.usedButtons.includes(customId);
  const button = h(
    "button",
    {
      type: "button",
      class: `mj-button ${style}${used ? " used" : ""}`,
      "data-custom-id": customId,
      disabled: component.disabled === true,
      title: used ? "Already clicked" : undefined,
      "aria-label": label || str(obj(component.emoji)?.name) || undefined,
    },
    inside,
  );
  button.addEventListener("click", () => context.click(message, customId, button));
  return button;
}

function renderSelect(component: Record<string, unknown>): HTMLElement {
  return h(
    "div",
    { class: "select-menu", "aria-disabled": "true" },
    h("span", {}, str(component.placeholder) || "Make a selection"),
    h("span", { "aria-hidden": "true" }, "⌄"),
  );
}

/** Classic action rows and Components V2 alike. */
function renderComponent(
  component: Record<string, unknown>,
  message: PageMessage,
  context: MessageContext,
): HTMLElement | null {
  const children = () => list(component.components).map((child) => renderComponent(child, message, context));
  switch (Number(component.type)) {
    case 1:
      return h("div", { class: "action-row" }, children());
    case 2:
      return renderButton(component, message, context);
    case 3:
    case 5:
    case 6:
    case 7:
    case 8:
      return renderSelect(component);
    case 9: {
      const accessory = obj(component.accessory);
      return h(
        "div",
        { class: "v2-section" },
        h("div", { class: "v2-section-text" }, children()),
        accessory && renderComponent(accessory, message, context),
      );
    }
    case 10:
      return h("div", { class: "v2-text" }, markdown(str(component.content), context));
    case 11: {
      const url = imageUrl(obj(component.media)?.url, message);
      return url ? h("img", { class: "v2-thumbnail", src: url, alt: str(component.description) }) : null;
    }
    case 12: {
      const urls = list(component.items)
        .map((item) => imageUrl(obj(item.media)?.url, message))
        .filter((url) => url !== undefined);
      return urls.length > 0 ? gallery(urls, "media") : null;
    }
    case 13: {
      const name = str(obj(component.file)?.url).replace(/^attachment:\/\//, "");
      return h(
        "div",
        { class: "attachment-file" },
        h("span", { class: "file-icon", "aria-hidden": "true" }, "📄"),
        name,
      );
    }
    case 14:
      return h("hr", { class: `v2-separator${component.divider === false ? " invisible" : ""}` });
    case 17:
      return h(
        "div",
        { class: "v2-container", style: `--embed-colour:${colour(component.accent_color) ?? "transparent"}` },
        children(),
      );
    default:
      return null;
  }
}

function snippet(message: PageMessage | undefined): string {
  if (!message) return "Original message was deleted";
  if (message.content) return message.content.slice(0, 100);
  const embed = message.embeds[0];
  if (embed) return str(embed.title) || str(embed.description).slice(0, 100) || "Click to see attachment";
  return "Click to see attachment";
}

export function renderMessage(message: PageMessage, context: MessageContext): HTMLElement {
  const author = context.user(message.authorId);
  const referenced = message.replyTo ? context.message(message.replyTo) : undefined;
  const commandUser = message.usedCommand ? context.user(message.usedCommand.userId) : undefined;
  const mentioned = message.mentions.includes(context.viewerId);
  const v2 = (message.flags & IS_COMPONENTS_V2) !== 0;
  const classes = [
    "message",
    message.visibleTo ? "ephemeral" : "",
    mentioned ? "mentioned" : "",
    message.loading ? "loading" : "",
  ];
  return h(
    "article",
    {
      class: classes.filter(Boolean).join(" "),
      "data-message-id": message.id,
      "data-reply-to": message.replyTo ?? undefined,
      "aria-label": `Message from ${author?.name ?? "someone"}`,
    },
    message.replyTo &&
      h(
        "div",
        { class: "reply-context", onclick: () => message.replyTo && context.jumpTo(message.replyTo) },
        h("span", { class: "reply-spine", "aria-hidden": "true" }),
        referenced ? avatar(context.user(referenced.authorId), "small") : null,
        h(
          "span",
          { class: "reply-author" },
          referenced ? `@${context.user(referenced.authorId)?.name ?? "unknown"}` : "",
        ),
        h("span", { class: "reply-text" }, snippet(referenced)),
      ),
    message.usedCommand &&
      h(
        "div",
        { class: "reply-context interaction-context" },
        h("span", { class: "reply-spine", "aria-hidden": "true" }),
        avatar(commandUser, "small"),
        h("span", { class: "reply-author" }, commandUser?.name ?? "someone"),
        " used ",
        h("span", { class: "command-name" }, `/${message.usedCommand.name}`),
      ),
    h(
      "div",
      { class: "message-main" },
      avatar(author),
      h(
        "div",
        { class: "message-body" },
        h(
          "h3",
          { class: "message-header" },
          h(
            "span",
            { class: "author", style: author?.bot ? undefined : `color:${author?.colour}` },
            author?.name ?? "unknown",
          ),
          author?.bot && h("span", { class: "app-tag" }, "APP"),
          h("time", { class: "message-time", datetime: message.timestamp }, clock(message.timestamp)),
        ),
        message.loading
          ? h(
              "div",
              { class: "content thinking" },
              `${author?.name ?? "The app"} is thinking`,
              h("span", { class: "dots", "aria-hidden": "true" }, "…"),
            )
          : message.content &&
              h(
                "div",
                { class: "content" },
                markdown(message.content, context),
                message.editedTimestamp && !v2 ? h("span", { class: "edited" }, " (edited)") : null,
              ),
        v2
          ? h(
              "div",
              { class: "v2-components" },
              message.components.map((component) => renderComponent(component, message, context)),
            )
          : [
              renderEmbeds(message, context),
              renderAttachments(message),
              message.components.length > 0 &&
                h(
                  "div",
                  { class: "components" },
                  message.components.map((component) => renderComponent(component, message, context)),
                ),
            ],
        message.visibleTo &&
          h(
            "div",
            { class: "ephemeral-note" },
            h("span", { class: "eye", "aria-hidden": "true" }, "👁"),
            "Only you can see this • ",
            h(
              "button",
              { type: "button", class: "dismiss", onclick: () => context.dismiss(message) },
              "Dismiss message",
            ),
          ),
      ),
    ),
  );
}

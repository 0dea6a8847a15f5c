// The English catalogue: every word the bot shows on Discord. Placeholders are {named}; an entry
// with `one`/`other` forms is chosen by its {count}. zh-CN.ts must have exactly these keys.
import type { Entry } from "./entry.js";

export const en = {
  // ---- lists, sizes and durations (parts of other sentences) ----
  "list.separator": ", ",
  "size.megabytes": "{amount} MB",
  "duration.seconds": "{count} s",
  "duration.minutes": "{count} min",
  "duration.hours": "{count} h",

  // ---- errors any interaction can get ----
  "error.commandGone": "This command is not available any more.",
  "error.bug":
    "Something went wrong on my side (error id `{errorId}`). Please try again; if it keeps happening, tell the bot's operator this id.",
  "error.unknownTask":
    "The MJ API has no task `{taskId}` (or it belongs to another account). Check the id and try again.",
  "error.invalidTaskId": "That is not a task id. Task ids are up to 64 letters, digits, `-` or `_`.",
  "error.apiKeyRefused":
    "The MJ API refused this bot's API key. Please tell the bot's operator to check `MJ_API_KEY`.",
  "error.upstreamDown": "The MJ API is not answering right now ({reason}). Please try again in a minute.",
  "error.upstreamDown.timeout": "timed out",
  "error.upstreamDown.connection": "connection failed",
  "error.upstreamDown.connectionCode": "connection failed ({code})",
  "error.upstreamDown.http": "HTTP {status}",
  "error.errorPage":
    "The MJ API sent an error page (HTTP {status}). Please try again later; if it keeps happening, tell the bot's operator.",
  "error.badAnswer":
    "The MJ API sent an answer I don't understand (HTTP {status}). Please try again later; if it keeps happening, tell the bot's operator.",

  // ---- what upstream answered a submit ----
  "submit.noTaskId":
    "The MJ API accepted the request but did not say which task it started. Please try again.",
  "submit.queued": { one: "Queued: {count} task ahead.", other: "Queued: {count} tasks ahead." },
  "submit.queuedPlain": "Queued.",
  "submit.queuedPlainWithReason": "Queued (`{reason}`).",
  "submit.queueFull": "The MJ queue is full right now. Please try again in a few minutes.",
  "submit.banned": "The MJ API refused the prompt because it contains a banned word.",
  "submit.bannedWord": "The MJ API refused the prompt because it contains a banned word: `{word}`.",
  "submit.notFound": "The MJ API could not find the task or has no account free for it.",
  "submit.notFoundWithReason":
    "The MJ API could not find the task or has no account free for it (`{reason}`).",
  "submit.invalid": "The MJ API rejected the request as invalid.",
  "submit.invalidWithReason": "The MJ API rejected the request as invalid (`{reason}`).",
  "submit.failed": "The MJ API could not do that. Please try again later.",
  "submit.failedWithReason": "The MJ API could not do that (`{reason}`). Please try again later.",

  // ---- who may submit, and how often ----
  "access.role": "Only members with the <@&{roleId}> role can start Midjourney jobs here.",
  "access.cooldown": "You can start another job {when}: members wait {duration} between jobs.",
  "access.daily": {
    one: "You have started {count} job today, the daily limit. You can start more {when} (the count starts again at midnight UTC).",
    other:
      "You have started {count} jobs today, the daily limit. You can start more {when} (the count starts again at midnight UTC).",
  },
  "access.running":
    "You already have {count} jobs running ({taskIds}), the most one member can have at once. You can start another as soon as one of them finishes.",

  // ---- commands' own answers ----
  "prompt.empty": "The prompt is empty.",
  "swapface.sameImage": "The face and the target are the same image. Pick two different images.",
  "status.alreadyShown": "Task `{taskId}` is already shown live in this channel: {link}",
  "seed.result": "Seed of task `{taskId}`: `{seed}` (add `--seed {seed}` to a prompt to reuse it)",
  "feed.needsManageChannels": "You need the Manage Channels permission to change feeds.",
  "feed.needsPublicUrl":
    "Feeds need the bot's PUBLIC_URL setting, so the MJ API can reach it. Ask the bot's operator.",
  "feed.alreadyEnabled": "This channel is already a feed. Its notifyHook URL:\n`{url}`",
  "feed.enabled":
    "This channel is now a feed. Use this as `notifyHook` when you submit tasks; they will be posted here and kept live. Keep it private: anyone with it can post here.\n`{url}`",
  "feed.notAFeed": "This channel is not a feed.",
  "feed.disabled": "This channel is no longer a feed; its notifyHook URL no longer works.",
  "feed.status": "This channel is a feed since {since}. Its notifyHook URL:\n`{url}`",
  "feed.statusNone": "This channel is not a feed. `/mjfeed enable` makes it one.",

  // ---- images members attach ----
  "attachment.notImage": "`{name}` is not a PNG, JPEG, WebP or GIF image.",
  "attachment.tooLarge": "`{name}` is {size}; images can be at most {max}.",
  "attachment.tooLargeDownloaded": "`{name}` is larger than {max}.",
  "attachment.downloadFailed": "I could not download `{name}` from Discord. Please try again.",

  // ---- posting a task's message ----
  "post.cannotSee":
    "I can't see this channel, so I couldn't keep the message up to date. Give me the View Channel permission here and try again.",
  "post.cannotPost":
    "Task `{taskId}` was submitted, but I can't post in this channel. Give me the View Channel and Send Messages permissions here, then show it with `/mjstatus id:{taskId}`.",

  // ---- buttons ----
  "click.roleOnly": "Only members with the <@&{roleId}> role can use these buttons.",
  "click.requesterOnly": "Only <@{userId}> can use these buttons.",
  "click.requesterUnknown": "Only the person who asked for this task can use its buttons.",
  "click.unknownButton": "I no longer know what this button does. Run /mjstatus for the task again.",
  "click.foreignButton": "That button does not belong to this task, so I did not send it.",
  "click.needsPrompt": "This needs a prompt. Open the form to finish it:",
  "click.formInUse": "<@{userId}> is writing the prompt for this; the result will be posted here.",
  "click.formInUseBySomeone": "Someone is writing the prompt for this; the result will be posted here.",
  "click.done": "This was already done: task `{taskId}` is shown here {link}",
  "click.posting": "This was already sent: task `{taskId}` is on its way.",
  "click.submitted":
    "This was already sent as task `{taskId}`, but its message could not be posted. Show it with `/mjstatus id:{taskId}`.",
  "click.pending": "Someone just clicked this; the result is on its way.",

  // ---- the prompt form ----
  "form.title": "Prompt",
  "form.promptLabel": "Prompt",
  "form.gone": "This form is not one of mine any more. Click the button again to get a new one.",
  "form.goneShort": "This form is not one of mine any more.",
  "form.buttonGone": "This button is not one of mine any more.",
  "form.someoneElses": "This form was opened for <@{userId}>; only they can send it.",
  "form.notWaiting": "This task is not waiting for a prompt, so there is no form to fill in.",
  "form.maskNeeded":
    "The MJ API wants a mask (the area to change) for Vary (Region), and Discord cannot draw one. Use Vary (Strong/Subtle) instead, or edit the region in the MJ web app.",
  "form.askedAgain": "The MJ API asked for the prompt again. Please try again.",
  "form.submitted": "Submitted; the new job is posted in the channel.",

  // ---- notices on a live message ----
  "notice.queuedNext": "Queued: next in line.",
  "notice.stall":
    "Nothing has moved upstream since {since}; the MJ API may be stuck on this task. This message changes as soon as it does.",
  "notice.outage":
    "The MJ API has not answered since {since}; the bot keeps trying and will update this message.",
  "notice.notFound": "The MJ API no longer knows this task, so it is not followed any more.",
  "notice.maxAge": "Tracking stopped after {age}. Run /mjstatus again to refresh.",

  // ---- the reply that tells a requester their job ended ----
  "ping.done": "<@{userId}> your {job} job is done.",
  "ping.failed": "<@{userId}> your {job} job failed.",

  // ---- /mjhelp ----
  "help.title": "How to use this bot",
  "help.commands": "Commands",
  "help.buttons": "Buttons",
  "help.who": "Who can do what here",
  "help.limits": "Your limits",
  "help.commandLine": "`/{name}` — {description}",
  "help.buttonsGrid":
    "**U1–U4** upscale one picture of the grid, **V1–V4** make variations of it, 🔄 runs the prompt again; the other buttons (Vary, Zoom, Pan, Upscale) do what they do in Midjourney.",
  "help.buttonsReplies":
    "Each new job is posted as a reply to the message you clicked and kept up to date until it is done.",
  "help.buttonsUsed":
    "A button that was already used is blue; clicking it again tells you where its result is.",
  "help.buttonsForms": "Custom Zoom, Vary (Region) and remix first ask for the prompt in a form.",
  "help.noLimits": "No limits are set here.",
  "help.exempt":
    "You manage this server, so the cooldown and the daily and running limits do not apply to you.",
  "help.clickAnyone": "Anyone here can use the buttons of any job.",
  "help.clickRequester": "Only the member who started a job can use its buttons.",
  "help.clickRole": "Only members with the <@&{roleId}> role can use the buttons.",
  "help.submitAnyone": "Anyone here can start jobs.",
  "help.submitRole": "Only members with the <@&{roleId}> role can start jobs.",
  "help.completionPing":
    "When a job takes longer than {after}, you are mentioned in a reply to it once it is done.",
  "help.leftToday": "Jobs left today: **{left}** of {limit} (the count starts again {resetsAt}).",
  "help.runningLeft": "Jobs you can still start before one of yours finishes: **{left}** of {limit}.",
  "help.cooldownReady": "Members wait {cooldown} between jobs; you can start one now.",
  "help.cooldownWaiting": "Members wait {cooldown} between jobs; your next one can start {endsAt}.",
  "help.roleMissing": "You cannot start jobs here: that takes the <@&{roleId}> role.",

  // ---- /mjjobs ----
  "jobs.title": "Your last {count} jobs here",
  "jobs.none": "You have not started any jobs here yet. `/imagine` starts one.",
  "jobs.notFollowed": "no longer followed",
  "jobs.notFinished": "Not finished yet",
  "jobs.statusWithProgress": "{status} ({percent}%)",
  "jobs.openMessage": "[Open its message]({link})",
  "jobs.showAgain": "`/mjstatus id:{taskId}` shows it again",
  "jobs.job": "Job",
  "jobs.prompt": "“{prompt}”",
  "jobs.line": "**{number}. {kind}** · {status} · {when}",

  // ---- a task's embed ----
  "embed.title": "{action} · {status}",
  "embed.footer": "Task {taskId}",
  "embed.prompt": "Prompt",
  "embed.englishPrompt": "English prompt",
  "embed.reason": "Reason",
  "embed.noReason": "Upstream gave no reason.",
  "embed.note": "Note",
  "embed.submitted": "Submitted",
  "embed.started": "Started",
  "embed.finished": "Finished",
  "embed.finishedIn": "{time}, after {duration}",
  "embed.requestedBy": "Requested by",
  "embed.video": "Video",
  "embed.videos": "Videos",
  "embed.openVideo": "Open the video",
  "embed.videoNumber": "Video {number}",
  "embed.waitingForPrompt": "Waiting for the prompt to be submitted.",
  "embed.waitingToStart": "Waiting to start…",

  "status.NOT_START": "Not started",
  "status.SUBMITTED": "Submitted",
  "status.MODAL": "Waiting for input",
  "status.IN_PROGRESS": "In progress",
  "status.SUCCESS": "Done",
  "status.FAILURE": "Failed",
  "status.CANCEL": "Cancelled",
  "status.unknown": "Unknown",

  // Upstream's action names; one not listed here is shown as upstream wrote it.
  "action.task": "Task",
  "action.IMAGINE": "Imagine",
  "action.UPSCALE": "Upscale",
  "action.VARIATION": "Variation",
  "action.HIGH_VARIATION": "High variation",
  "action.LOW_VARIATION": "Low variation",
  "action.REROLL": "Reroll",
  "action.DESCRIBE": "Describe",
  "action.BLEND": "Blend",
  "action.SHORTEN": "Shorten",
  "action.ZOOM": "Zoom",
  "action.CUSTOM_ZOOM": "Custom zoom",
  "action.OUTPAINT": "Outpaint",
  "action.INPAINT": "Inpaint",
  "action.PAN": "Pan",
  "action.EDIT": "Edit",
  "action.RETEXTURE": "Retexture",
  "action.SWAP_FACE": "Swap face",
  "action.VIDEO": "Video",
  "action.VIDEO_EXTEND": "Video extend",
  "action.UPLOAD": "Upload",

  // ---- labels of buttons upstream sent without one ----
  "button.upscale": "U{number}",
  "button.variation": "V{number}",
  "button.reroll": "Re-roll",
  "button.upscaleVideo": "Upscale video {number}",
  "button.upscaleSubtle": "Upscale (Subtle)",
  "button.upscaleCreative": "Upscale (Creative)",
  "button.upscaleTimes": "Upscale ({times}x)",
  "button.upscaleAny": "Upscale",
  "button.varyStrong": "Vary (Strong)",
  "button.varySubtle": "Vary (Subtle)",
  "button.varyRegion": "Vary (Region)",
  "button.zoomOut2x": "Zoom Out 2x",
  "button.zoomOut1_5x": "Zoom Out 1.5x",
  "button.makeSquare": "Make Square",
  "button.zoomOut": "Zoom Out",
  "button.customZoom": "Custom Zoom",
  "button.panLeft": "Pan left",
  "button.panRight": "Pan right",
  "button.panUp": "Pan up",
  "button.panDown": "Pan down",
  "button.imagineNumber": "Imagine {number}",
  "button.imagineAll": "Imagine all",
  "button.retry": "Retry",
  "button.showDetails": "Show details",
  "button.favourite": "Favourite",
  "button.extendHigh": "Extend (High motion)",
  "button.extendLow": "Extend (Low motion)",
  "button.animateHigh": "Animate (High motion)",
  "button.animateLow": "Animate (Low motion)",
  "button.action": "Action",
  "button.openForm": "Open the form",
  "button.openLink": "Open link",

  // ---- slash command descriptions (names stay as they are: they are what people type) ----
  "command.taskId": "The task id from the MJ API",
  "command.mjstatus": "Show a Midjourney task and keep it updated until it finishes",
  "command.imagine": "Create images from a prompt",
  "command.imagine.prompt": "What to imagine",
  "command.imagine.image": "An image to start from",
  "command.describe": "Get four prompts that describe an image",
  "command.describe.image": "The image to describe",
  "command.blend": "Blend 2 to 5 images into a new one",
  "command.blend.image": "Image {number}",
  "command.blend.dimensions": "Shape of the result",
  "command.blend.portrait": "Portrait (2:3)",
  "command.blend.square": "Square (1:1)",
  "command.blend.landscape": "Landscape (3:2)",
  "command.shorten": "Find out which words of a prompt matter",
  "command.shorten.prompt": "The prompt to analyse",
  "command.video": "Animate an image into short videos",
  "command.video.image": "The first frame of the video",
  "command.video.prompt": "How it should move",
  "command.video.motion": "How much movement",
  "command.video.low": "Low motion",
  "command.video.high": "High motion",
  "command.swapface": "Put the face from one image into another",
  "command.swapface.source": "The image with the face to use",
  "command.swapface.target": "The image that gets the face",
  "command.mjseed": "Show the seed of a finished task",
  "command.mjhelp": "How to use this bot: its commands, the buttons and your limits",
  "command.mjjobs": "Your recent jobs here, with their status and messages",
  "command.mjfeed": "Post every task sent to this channel's notifyHook URL here, kept live",
  "command.mjfeed.enable": "Make this channel a feed and get its notifyHook URL",
  "command.mjfeed.disable": "Stop the feed; its URL stops working",
  "command.mjfeed.status": "Show whether this channel is a feed, and its URL",
} as const satisfies Record<string, Entry>;

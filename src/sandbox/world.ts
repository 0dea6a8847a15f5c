// The simulated server the sandbox shows: its guild, channels and the two members a visitor can act as.
import type { PageChannel, PageUser } from "./page/pageTypes.js";

/** Discord's permission bits the fake grants members by default, and Manage Channels (1 << 4). */
const MEMBER_PERMISSIONS = 2248473465835073n;
const MANAGE_CHANNELS = 16n;

export interface SandboxMember extends PageUser {
  /** The member's permissions in every channel, as Discord sends them (a decimal bit set). */
  permissions: string;
}

export const SANDBOX_GUILD = { id: "900000000000000010", name: "mjrelay sandbox" } as const;

export const SANDBOX_CHANNELS: readonly PageChannel[] = [
  {
    id: "900000000000000020",
    name: "welcome",
    topic: "A demo job plays here on start: /imagine, its progress, the grid, U1 and the upscale.",
  },
  { id: "900000000000000021", name: "general", topic: "Try the commands yourself: type / to see them." },
  { id: "900000000000000022", name: "feeds", topic: "/mjfeed enable makes a channel a feed." },
];

export const SANDBOX_MEMBERS: readonly SandboxMember[] = [
  {
    id: "900000000000000101",
    name: "Ada",
    colour: "#f47b67",
    bot: false,
    manager: true,
    permissions: String(MEMBER_PERMISSIONS | MANAGE_CHANNELS),
  },
  {
    id: "900000000000000102",
    name: "Ben",
    colour: "#3ba55c",
    bot: false,
    manager: false,
    permissions: String(MEMBER_PERMISSIONS),
  },
];

export const WELCOME_CHANNEL = SANDBOX_CHANNELS[0] as PageChannel;

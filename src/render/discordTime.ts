// Times as Discord timestamps: every reader sees them in their own time zone, with a live
// "3 minutes ago" next to the date.

function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** `<t:…:f> (<t:…:R>)`: the date and time, and how long ago (or how soon) that is. */
export function discordTime(ms: number): string {
  const seconds = unixSeconds(ms);
  return `<t:${seconds}:f> (<t:${seconds}:R>)`;
}

// An expected failure whose message is written for the person who clicked or typed: the router
// shows it as is, ephemerally. Anything else is a bug and gets a generic message with an error id.
export class UserError extends Error {
  override name = "UserError";
}

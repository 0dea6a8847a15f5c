// Every button and modal handler; the router picks one by custom_id prefix.
import type { ButtonHandler, ModalHandler } from "./component.js";
import { mirroredButton } from "./mirroredButton.js";
import { openPromptModal, promptModal } from "./promptModal.js";

export const buttonHandlers: readonly ButtonHandler[] = [mirroredButton, openPromptModal];
export const modalHandlers: readonly ModalHandler[] = [promptModal];

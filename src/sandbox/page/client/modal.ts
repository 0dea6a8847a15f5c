// A modal the bot opened (interaction callback 9), drawn as Discord's form dialog: text inputs in
// the classic shape (action rows) or the newer one (labels), Cancel and Submit.
import type { PageModal } from "../pageTypes.js";
import { h, list, obj, str } from "./dom.js";

interface Field {
  customId: string;
  label: string;
  description: string;
  paragraph: boolean;
  value: string;
  placeholder: string;
  required: boolean;
  minLength?: number;
  maxLength?: number;
}

function fieldsOf(modal: PageModal): Field[] {
  const fields: Field[] = [];
  for (const component of modal.components) {
    const label = Number(component.type) === 18 ? component : undefined;
    const inputs = label ? [obj(label.component) ?? {}] : list(component.components);
    for (const input of inputs) {
      if (Number(input.type) !== 4) continue;
      fields.push({
        customId: str(input.custom_id),
        label: str(label?.label) || str(input.label),
        description: str(label?.description),
        paragraph: Number(input.style) === 2,
        value: str(input.value),
        placeholder: str(input.placeholder),
        required: input.required !== false,
        ...(typeof input.min_length === "number" ? { minLength: input.min_length } : {}),
        ...(typeof input.max_length === "number" ? { maxLength: input.max_length } : {}),
      });
    }
  }
  return fields;
}

export function renderModal(
  modal: PageModal,
  actions: { submit(fields: Record<string, string>): void; cancel(): void },
): HTMLElement {
  const fields = fieldsOf(modal);
  const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement>();
  const form = h(
    "form",
    { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": modal.title },
    h(
      "header",
      { class: "modal-header" },
      h("div", { class: "modal-app" }, "mjrelay"),
      h("h2", { class: "modal-title" }, modal.title),
      h(
        "button",
        { type: "button", class: "modal-close", "aria-label": "Close", onclick: () => actions.cancel() },
        "✕",
      ),
    ),
    h(
      "div",
      { class: "modal-fields" },
      fields.map((field) => {
        const attributes = {
          name: field.customId,
          placeholder: field.placeholder || undefined,
          required: field.required,
          minlength: field.minLength,
          maxlength: field.maxLength,
          class: "modal-input",
          id: `field-${field.customId}`,
        };
        const input = field.paragraph
          ? h("textarea", { ...attributes, rows: 4 })
          : h("input", { ...attributes, type: "text" });
        input.value = field.value;
        inputs.set(field.customId, input);
        return h(
          "label",
          { class: "modal-field", for: `field-${field.customId}` },
          h(
            "span",
            { class: "modal-label" },
            field.label,
            field.required ? h("span", { class: "required" }, " *") : null,
          ),
          field.description && h("span", { class: "modal-description" }, field.description),
          input,
        );
      }),
    ),
    h(
      "footer",
      { class: "modal-footer" },
      h("button", { type: "button", class: "modal-cancel", onclick: () => actions.cancel() }, "Cancel"),
      h("button", { type: "submit", class: "modal-submit" }, "Submit"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    for (const [customId, input] of inputs) values[customId] = input.value;
    actions.submit(values);
  });
  return h("div", { class: "modal-backdrop" }, form);
}

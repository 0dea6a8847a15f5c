// One catalogue entry: a sentence with {named} placeholders, or two forms chosen by its {count}.

export interface PluralForms {
  readonly one: string;
  readonly other: string;
}

export type Entry = string | PluralForms;

// Checks request bodies against Discord's own OpenAPI description (vendored in
// test/vendor/discord-api-spec). The simulated Discord applies it when given as its `specRules`.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

const SPEC_FILE = fileURLToPath(new URL("../vendor/discord-api-spec/openapi.json", import.meta.url));

type Json = Record<string, unknown>;

interface Spec {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema: unknown }> } }>>;
  components: Json;
}

let ajv: Ajv2020 | undefined;
let spec: Spec | undefined;
const compiled = new Map<string, ValidateFunction | null>();

function loadSpec(): { ajv: Ajv2020; spec: Spec } {
  if (!ajv || !spec) {
    spec = JSON.parse(readFileSync(SPEC_FILE, "utf8")) as Spec;
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: "discord", components: spec.components });
  }
  return { ajv, spec };
}

/** The request-body validator of a path template such as `/channels/{channel_id}/messages`. */
function validatorFor(template: string, method: string): ValidateFunction | null {
  const key = `${method} ${template}`;
  if (compiled.has(key)) return compiled.get(key) ?? null;
  const { ajv, spec } = loadSpec();
  const schema =
    spec.paths[template]?.[method.toLowerCase()]?.requestBody?.content?.["application/json"]?.schema;
  const validate = schema
    ? ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"discord#/components/')))
    : null;
  compiled.set(key, validate);
  return validate;
}

/**
 * Discord's docs type `default_member_permissions` as a string (a bit set, which is what
 * discord.js sends and Discord accepts); the OpenAPI file says integer. Read it as its number.
 */
function asSpecTypes(body: unknown): unknown {
  if (!Array.isArray(body)) return body;
  return body.map((item) => {
    const permissions = (item as Json | null)?.default_member_permissions;
    return typeof permissions === "string" && /^\d+$/.test(permissions)
      ? { ...(item as Json), default_member_permissions: Number(permissions) }
      : item;
  });
}

/** Problems Discord's OpenAPI description finds in `body` for that route. */
export function validateAgainstSpec(template: string, method: string, body: unknown): string[] {
  const validate = validatorFor(template, method);
  if (!validate || validate(asSpecTypes(body))) return [];
  return (validate.errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || "body"} ${e.message ?? "is invalid"}`);
}

/** Options for startFakeDiscord that make it refuse what Discord's OpenAPI description refuses. */
export const checkedAgainstSpec = { specRules: validateAgainstSpec } as const;

// Finds string and template literals that read like words for people, in source files that must
// leave every such word to the catalogues in src/i18n/. It parses with the TypeScript compiler, so
// comments, types, import paths and property names are never mistaken for text; what remains is
// judged by shape (CJK, several words, or one capitalised word) and by where it stands: a log
// call's arguments and an internal error's message are for operators and are allowed.
import ts from "typescript";

export interface ProseLiteral {
  file: string;
  line: number;
  text: string;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
/** Two words of letters next to each other: "not found", "Open the form", "Upscale (Subtle)". */
const SEVERAL_WORDS = /\p{L}{2,}['’]?\p{L}*[,.:;!?…]?\s+[("'`]?\p{L}{2,}/u;
/** One capitalised word, as a label or a field name is: "Prompt", "Done", "Waiting…". */
const CAPITALISED_WORD = /^\s*\p{Lu}\p{Ll}{2,}[.:!?…]?\s*$/u;

/** Does `text` (a literal's characters, template holes removed) read like words for people? */
export function looksLikeProse(text: string): boolean {
  return CJK.test(text) || SEVERAL_WORDS.test(text) || CAPITALISED_WORD.test(text);
}

/** Error classes whose messages are shown to users, so they never take free text. */
const USER_FACING_ERRORS = new Set(["UserError", "SubmitRefused"]);

/** `new Error(...)`, `new MjUnavailable(...)`: an internal error, logged, never shown as is. */
function isInternalErrorClass(name: string): boolean {
  if (USER_FACING_ERRORS.has(name)) return false;
  return /Error$/.test(name) || /^Mj[A-Z]/.test(name);
}

/** The object a method is called on: `logger` in `logger.info(...)` and `context.logger[level](...)`. */
function receiverOf(callee: ts.Expression): ts.Expression | undefined {
  if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) return callee.expression;
  return undefined;
}

function isLoggerCall(call: ts.CallExpression, source: ts.SourceFile): boolean {
  const receiver = receiverOf(call.expression);
  return receiver !== undefined && /logger$/i.test(receiver.getText(source));
}

/** `super(...)` in a class that extends an internal error class. */
function isInternalErrorSuper(call: ts.CallExpression, source: ts.SourceFile): boolean {
  if (call.expression.kind !== ts.SyntaxKind.SuperKeyword) return false;
  let node: ts.Node | undefined = call;
  while (node && !ts.isClassLike(node)) node = node.parent;
  const heritage = node?.heritageClauses?.flatMap((clause) => clause.types) ?? [];
  return heritage.some((type) => isInternalErrorClass(type.expression.getText(source)));
}

/** Positions whose text is for operators or machines: log lines, internal errors, metric help. */
function isAllowedContext(node: ts.Node, source: ts.SourceFile): boolean {
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
    if (
      ts.isCallExpression(current) &&
      (isLoggerCall(current, source) || isInternalErrorSuper(current, source))
    )
      return true;
    if (ts.isNewExpression(current) && isInternalErrorClass(current.expression.getText(source))) return true;
    // prom-client's help texts are read in /metrics by whoever scrapes it.
    if (ts.isPropertyAssignment(current) && current.name.getText(source) === "help") return true;
  }
  return false;
}

/** Literals that are not values at all: module paths, literal types, property names. */
function isNotAValue(node: ts.Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (
    ts.isImportDeclaration(parent) ||
    ts.isExportDeclaration(parent) ||
    ts.isExternalModuleReference(parent)
  )
    return true;
  if (ts.isLiteralTypeNode(parent) || ts.isImportTypeNode(parent)) return true;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node)
    return true;
  if (ts.isPropertySignature(parent) || ts.isEnumMember(parent)) return parent.name === node;
  return false;
}

function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(" ");
  }
  return undefined;
}

/** Every literal in `code` that looks like prose where prose is not allowed. */
export function findProseLiterals(file: string, code: string): ProseLiteral[] {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ProseLiteral[] = [];
  const visit = (node: ts.Node): void => {
    const text = literalText(node);
    if (text !== undefined) {
      if (looksLikeProse(text) && !isNotAValue(node) && !isAllowedContext(node, source)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push({ file, line: line + 1, text });
      }
      // A template's holes may hold literals of their own.
      if (!ts.isTemplateExpression(node)) return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isValidAgentName,
  isValidTaskKey,
  MAX_COMMANDS_PER_COMMENT,
  MAX_FREE_TEXT_LENGTH,
  parseComment,
  type Command,
  type ParseResult,
} from "./parse.js";
import { findVerb, VERBS } from "./verbs/index.js";

/** Commands as they are, errors reduced to their message: what most cases care about. */
function outcomes(body: string): Array<Command | { error: string }> {
  return parseComment(body).map((result) =>
    result.kind === "command" ? result.command : { error: result.message },
  );
}

/** The message of the comment's only result, which must be an error. */
function onlyError(body: string): string {
  const results = parseComment(body);
  expect(results).toHaveLength(1);
  const [result] = results as [ParseResult];
  if (result.kind !== "error") throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.message;
}

describe("parseComment: commands", () => {
  it.each<{ name: string; body: string; commands: Command[] }>([
    // dispatch and its alias
    { name: "dispatch alone", body: "/orch dispatch", commands: [{ verb: "dispatch" }] },
    {
      name: "dispatch with an agent",
      body: "/orch dispatch claude",
      commands: [{ verb: "dispatch", agent: "claude" }],
    },
    { name: "alias run", body: "/orch run codex", commands: [{ verb: "dispatch", agent: "codex" }] },
    { name: "verb autocorrected to Dispatch", body: "/orch Dispatch", commands: [{ verb: "dispatch" }] },
    {
      name: "everything upper case, agent lowercased",
      body: "/ORCH RUN CLAUDE",
      commands: [{ verb: "dispatch", agent: "claude" }],
    },
    { name: "tab after /orch", body: "/orch\tstatus", commands: [{ verb: "status" }] },
    { name: "up to 3 leading spaces", body: "   /orch status", commands: [{ verb: "status" }] },
    { name: "trailing blanks", body: "/orch status \t ", commands: [{ verb: "status" }] },
    { name: "leading byte-order mark", body: "\uFEFF/orch status", commands: [{ verb: "status" }] },
    {
      name: "agent name with digits, - and _",
      body: "/orch dispatch my_agent-2",
      commands: [{ verb: "dispatch", agent: "my_agent-2" }],
    },
    {
      name: "instructions on the same line",
      body: "/orch dispatch codex -- fix the flaky test",
      commands: [{ verb: "dispatch", agent: "codex", instructions: "fix the flaky test" }],
    },
    {
      name: "instructions without an agent",
      body: "/orch dispatch -- fix it",
      commands: [{ verb: "dispatch", instructions: "fix it" }],
    },
    {
      name: "empty text after --",
      body: "/orch dispatch claude --   ",
      commands: [{ verb: "dispatch", agent: "claude" }],
    },
    {
      name: "blank lines after -- are no text",
      body: "/orch dispatch --\n\n   \n",
      commands: [{ verb: "dispatch" }],
    },
    {
      name: "a later -- is part of the text",
      body: "/orch dispatch -- use -- with care",
      commands: [{ verb: "dispatch", instructions: "use -- with care" }],
    },
    {
      name: "instructions spanning lines, to the end of the comment",
      body: "/orch dispatch -- fix the bug\nin login.ts\n\nThanks!\n\n",
      commands: [{ verb: "dispatch", instructions: "fix the bug\nin login.ts\n\nThanks!" }],
    },
    {
      name: "instructions from the next line keep their indentation",
      body: "/orch dispatch --\n\n    const x = 1;\nand make it 2",
      commands: [{ verb: "dispatch", instructions: "    const x = 1;\nand make it 2" }],
    },
    {
      name: "instructions end at the next command",
      body: "/orch dispatch -- fix it\nplease\n\n/orch status\nnot part of anything",
      commands: [{ verb: "dispatch", instructions: "fix it\nplease" }, { verb: "status" }],
    },
    {
      name: "instructions holding a fence with /orch inside",
      body: "/orch dispatch -- add this to the docs:\n```md\n/orch cancel --run\n```\ndone",
      commands: [{ verb: "dispatch", instructions: "add this to the docs:\n```md\n/orch cancel --run\n```\ndone" }],
    },
    {
      name: "instructions holding a quote and an HTML comment",
      body: "/orch dispatch -- as they said:\n> /orch cancel\n<!-- /orch status -->",
      commands: [{ verb: "dispatch", instructions: "as they said:\n> /orch cancel\n<!-- /orch status -->" }],
    },
    {
      name: "instructions kept exactly: NUL, tabs, inner trailing blanks",
      body: "/orch dispatch -- a\u0000b\t c  \n  d",
      commands: [{ verb: "dispatch", instructions: "a\u0000b\t c  \n  d" }],
    },
    {
      name: "CRLF line endings become LF",
      body: "/orch dispatch -- one\r\ntwo\r\n/orch status\r\n",
      commands: [{ verb: "dispatch", instructions: "one\ntwo" }, { verb: "status" }],
    },
    {
      name: "lone CR line endings become LF",
      body: "/orch retry -- one\rtwo\r/orch status",
      commands: [{ verb: "retry", feedback: "one\ntwo" }, { verb: "status" }],
    },
    {
      name: `instructions of exactly ${MAX_FREE_TEXT_LENGTH} characters`,
      body: `/orch dispatch -- ${"x".repeat(MAX_FREE_TEXT_LENGTH)}`,
      commands: [{ verb: "dispatch", instructions: "x".repeat(MAX_FREE_TEXT_LENGTH) }],
    },
    // retry
    { name: "retry alone", body: "/orch retry", commands: [{ verb: "retry" }] },
    { name: "retry a task", body: "/orch retry t2", commands: [{ verb: "retry", task: "t2" }] },
    { name: "task key lowercased", body: "/orch retry T12", commands: [{ verb: "retry", task: "t12" }] },
    { name: "largest task key", body: "/orch retry t999", commands: [{ verb: "retry", task: "t999" }] },
    {
      name: "retry with feedback",
      body: "/orch retry t1 -- the tests still fail\non Windows",
      commands: [{ verb: "retry", task: "t1", feedback: "the tests still fail\non Windows" }],
    },
    {
      name: "retry with feedback and no task",
      body: "/orch retry -- try again",
      commands: [{ verb: "retry", feedback: "try again" }],
    },
    // reassign
    {
      name: "reassign to an agent",
      body: "/orch reassign gemini",
      commands: [{ verb: "reassign", agent: "gemini" }],
    },
    {
      name: "reassign a task to an agent",
      body: "/orch reassign t3 Gemini",
      commands: [{ verb: "reassign", task: "t3", agent: "gemini" }],
    },
    {
      name: "reassign with feedback",
      body: "/orch reassign t1 claude -- start from the failing test",
      commands: [{ verb: "reassign", task: "t1", agent: "claude", feedback: "start from the failing test" }],
    },
    {
      name: "reassign to an agent named like a task, after a task",
      body: "/orch reassign t1 t2",
      commands: [{ verb: "reassign", task: "t1", agent: "t2" }],
    },
    // cancel and cleanup
    { name: "cancel alone", body: "/orch cancel", commands: [{ verb: "cancel", scope: { kind: "task" } }] },
    {
      name: "cancel a task",
      body: "/orch cancel t2",
      commands: [{ verb: "cancel", scope: { kind: "task", task: "t2" } }],
    },
    { name: "cancel the run", body: "/orch cancel --run", commands: [{ verb: "cancel", scope: { kind: "run" } }] },
    {
      name: "flags are case-insensitive",
      body: "/orch Cancel --RUN",
      commands: [{ verb: "cancel", scope: { kind: "run" } }],
    },
    { name: "cleanup alone", body: "/orch cleanup", commands: [{ verb: "cleanup", scope: { kind: "task" } }] },
    {
      name: "cleanup a task",
      body: "/orch cleanup t7",
      commands: [{ verb: "cleanup", scope: { kind: "task", task: "t7" } }],
    },
    { name: "cleanup the run", body: "/orch cleanup --run", commands: [{ verb: "cleanup", scope: { kind: "run" } }] },
    // status and help
    { name: "status", body: "/orch status", commands: [{ verb: "status" }] },
    { name: "help", body: "/orch help", commands: [{ verb: "help" }] },
    { name: "help on a verb", body: "/orch help reassign", commands: [{ verb: "help", topic: "reassign" }] },
    { name: "help on an alias", body: "/orch help Run", commands: [{ verb: "help", topic: "dispatch" }] },
    // several commands, prose around them
    {
      name: "several commands in one comment",
      body: "/orch dispatch claude\n/orch status\n/orch help",
      commands: [{ verb: "dispatch", agent: "claude" }, { verb: "status" }, { verb: "help" }],
    },
    {
      name: "commands between prose",
      body: "Thanks, that looks right.\n\n/orch retry t1\n\nAnd when that is done:\n/orch cleanup --run\n",
      commands: [{ verb: "retry", task: "t1" }, { verb: "cleanup", scope: { kind: "run" } }],
    },
    // markdown that hides text, then a real command
    { name: "after a closed fence", body: "```\n/orch cancel\n```\n/orch status", commands: [{ verb: "status" }] },
    {
      name: "a shorter fence does not close a longer one",
      body: "````\n/orch cancel\n```\n/orch cancel\n`````\n/orch status",
      commands: [{ verb: "status" }],
    },
    {
      name: "a backtick fence does not close a tilde fence",
      body: "~~~\n/orch cancel\n```\n/orch cancel\n~~~\n/orch status",
      commands: [{ verb: "status" }],
    },
    {
      name: "a fence in a list item",
      body: "- steps:\n  ```\n  /orch cancel\n  ```\n/orch status",
      commands: [{ verb: "status" }],
    },
    {
      name: "inline triple backticks open no fence",
      body: "```/orch cancel```\n/orch status",
      commands: [{ verb: "status" }],
    },
    {
      name: "after a closed HTML comment",
      body: "<!-- note\n/orch cancel\n-->\n/orch status",
      commands: [{ verb: "status" }],
    },
    { name: "after a one-line HTML comment", body: "<!-- bot: v2 -->\n/orch status", commands: [{ verb: "status" }] },
    { name: "after an empty HTML comment <!-->", body: "<!-->\n/orch status", commands: [{ verb: "status" }] },
    {
      name: "<!-- inside a code span opens no comment",
      body: "Use `<!--` for comments.\n/orch status",
      commands: [{ verb: "status" }],
    },
    {
      name: "a command after a quoted reply and a blank line",
      body: "> can you run it?\n\n/orch dispatch",
      commands: [{ verb: "dispatch" }],
    },
    {
      name: "a command right below a quote",
      body: "> can you run it?\n/orch dispatch",
      commands: [{ verb: "dispatch" }],
    },
  ])("$name", ({ body, commands }) => {
    expect(outcomes(body)).toEqual(commands);
  });

  it("quotes each command line trimmed, and cuts long ones at 200 characters", () => {
    const long = `/orch dispatch -- ${"é".repeat(300)}`;
    const results = parseComment(`   /orch status  \n${long}`);
    expect(results.map((result) => result.line)).toEqual([
      "/orch status",
      `${[...long].slice(0, 200).join("")}…`,
    ]);
  });

  it("gives each command line one result, in order", () => {
    const results = parseComment("/orch status\n/orch retyr\n/orch cancel t1\n/orch retry t0");
    expect(results.map((result) => [result.kind, result.line])).toEqual([
      ["command", "/orch status"],
      ["error", "/orch retyr"],
      ["command", "/orch cancel t1"],
      ["error", "/orch retry t0"],
    ]);
  });
});

describe("parseComment: not commands", () => {
  it.each<{ name: string; body: string }>([
    { name: "empty comment", body: "" },
    { name: "prose", body: "LGTM, thanks!" },
    { name: "a longer word", body: "/orchestra dispatch" },
    { name: "punctuation after /orch", body: "/orch, dispatch please" },
    { name: "a hyphenated word", body: "/orch-dispatch" },
    { name: "not at the start of the line", body: "please /orch dispatch" },
    { name: "inline code", body: "`/orch dispatch`" },
    { name: "bold", body: "**/orch dispatch**" },
    { name: "a list item", body: "- /orch dispatch" },
    // code fences
    { name: "``` fence", body: "```\n/orch dispatch\n```" },
    { name: "``` fence with an info string", body: "```bash title=run.sh\n/orch dispatch\n```" },
    { name: "~~~ fence", body: "~~~\n/orch dispatch\n~~~" },
    { name: "~~~ fence with an info string holding backticks", body: "~~~~ `yaml`\n/orch dispatch\n~~~~" },
    { name: "indented fence", body: "   ```\n/orch dispatch\n   ```" },
    { name: "fence in a numbered list", body: "1. ```sh\n   /orch cancel\n   ```" },
    { name: "unclosed fence", body: "```\n/orch dispatch" },
    {
      name: "unclosed fence runs to the end",
      body: "Here is what I ran:\n```\nfoo\n```js\n\n/orch dispatch\n/orch status",
    },
    { name: "an indented line does not close a fence", body: "```\n    ```\n/orch dispatch\n" },
    // quotes
    { name: "quote", body: "> /orch dispatch" },
    { name: "quote without a space", body: ">/orch dispatch" },
    { name: "nested quote", body: "> > /orch dispatch" },
    { name: "indented quote", body: "  > /orch dispatch" },
    { name: "quoted in a reply", body: "> /orch dispatch\n\nI don't think we should run this yet." },
    // HTML comments
    { name: "one-line HTML comment", body: "<!-- /orch dispatch -->" },
    { name: "multi-line HTML comment", body: "<!--\n/orch dispatch\n-->" },
    { name: "comment opened mid-line", body: "text <!-- start\n/orch dispatch\nend -->" },
    { name: "unclosed HTML comment", body: "<!--\n/orch dispatch" },
    // indented code
    { name: "four spaces", body: "    /orch dispatch" },
    { name: "a tab", body: "\t/orch dispatch" },
    { name: "spaces and a tab", body: "  \t/orch dispatch" },
    // lookalikes and invisible characters
    { name: "fullwidth slash", body: "\uFF0Forch dispatch" },
    { name: "division slash", body: "\u2215orch dispatch" },
    { name: "fraction slash", body: "\u2044orch dispatch" },
    { name: "Cyrillic о in orch", body: "/\u043Erch dispatch" },
    { name: "zero-width space before", body: "\u200B/orch dispatch" },
    { name: "zero-width space inside", body: "/\u200Borch dispatch" },
    { name: "zero-width joiner after", body: "/orch\u200D dispatch" },
    { name: "no-break space after /orch", body: "/orch\u00A0dispatch" },
  ])("$name", ({ body }) => {
    expect(parseComment(body)).toEqual([]);
  });
});

describe("parseComment: errors", () => {
  it.each<{ name: string; body: string; patterns: RegExp[] }>([
    // /orch and unknown verbs
    { name: "/orch alone", body: "/orch", patterns: [/needs a command/, /`dispatch` \(or `run`\)/, /`\/orch help`/] },
    { name: "/orch and blanks", body: "/orch   ", patterns: [/needs a command/] },
    { name: "/orch and text but no verb", body: "/orch -- do it", patterns: [/needs a command/] },
    {
      name: "transposed letters",
      body: "/orch retyr",
      patterns: [/`retyr` is not an orch command/, /Did you mean `\/orch retry`\?/],
    },
    { name: "missing letter", body: "/orch dispach claude", patterns: [/Did you mean `\/orch dispatch`\?/] },
    {
      name: "swapped letters, upper case",
      body: "/orch CANCLE",
      patterns: [/`CANCLE`/, /Did you mean `\/orch cancel`\?/],
    },
    { name: "a prefix", body: "/orch clean", patterns: [/Did you mean `\/orch cleanup`\?/] },
    { name: "a longer form", body: "/orch cancelled", patterns: [/Did you mean `\/orch cancel`\?/] },
    { name: "a short near miss", body: "/orch rn", patterns: [/Did you mean `\/orch run`\?/] },
    { name: "--help as a verb", body: "/orch --help", patterns: [/Did you mean `\/orch help`\?/] },
    {
      name: "unknown verb without a near match",
      body: "/orch frobnicate",
      patterns: [/`frobnicate` is not an orch command\.\n/, /Commands: `dispatch`/],
    },
    // -- where it is not allowed
    {
      name: "-- after cancel",
      body: "/orch cancel t1 -- because",
      patterns: [/`\/orch cancel` takes no text after `--`/, /Usage: `\/orch cancel \[TASK \| --run\]`/],
    },
    { name: "-- after cleanup", body: "/orch cleanup --\nplease", patterns: [/`\/orch cleanup` takes no text/] },
    { name: "-- after status", body: "/orch status -- now", patterns: [/`\/orch status` takes no text/] },
    { name: "-- after help", body: "/orch help -- me", patterns: [/`\/orch help` takes no text/] },
    {
      name: "instructions over the limit",
      body: `/orch dispatch -- ${"x".repeat(MAX_FREE_TEXT_LENGTH + 1)}`,
      patterns: [/After `--` come 20,001 characters of instructions; the limit is 20,000/],
    },
    {
      name: "feedback over the limit",
      body: `/orch retry --\n${"y\n".repeat(MAX_FREE_TEXT_LENGTH)}`,
      patterns: [/After `--` come 39,999 characters of feedback/],
    },
    // unknown flags
    {
      name: "unknown flag on dispatch",
      body: "/orch dispatch --force",
      patterns: [
        /`--force` is not an option of `\/orch dispatch`\. It takes no options\./,
        /Usage: `\/orch dispatch/,
      ],
    },
    { name: "text glued to --", body: "/orch dispatch --fix the bug", patterns: [/`--fix` is not an option/] },
    { name: "--run on retry", body: "/orch retry --run", patterns: [/`--run` is not an option of `\/orch retry`/] },
    {
      name: "unknown flag on cancel",
      body: "/orch cancel --all",
      patterns: [/`--all` is not an option of `\/orch cancel`\. Its only option is `--run`\./],
    },
    { name: "flag with a value", body: "/orch cleanup --run=t1", patterns: [/`--run=t1` is not an option/] },
    {
      name: "unknown flag on status",
      body: "/orch status --verbose",
      patterns: [/`--verbose` is not an option of `\/orch status`/],
    },
    {
      name: "unknown flag on help",
      body: "/orch help --all",
      patterns: [/`--all` is not an option of `\/orch help`/],
    },
    // bad agent names
    {
      name: "agent -rf",
      body: "/orch dispatch -rf",
      patterns: [/`-rf` is not an agent name/, /start with a letter/],
    },
    { name: "agent ;rm", body: "/orch dispatch ;rm", patterns: [/`;rm` is not an agent name/] },
    { name: "agent Claude!", body: "/orch dispatch Claude!", patterns: [/`Claude!` is not an agent name/] },
    {
      name: "agent over 32 characters",
      body: `/orch dispatch ${"a".repeat(33)}`,
      patterns: [/is not an agent name/, /at most 32 characters/],
    },
    {
      name: "agent with a Cyrillic а",
      body: "/orch dispatch cl\u0430ude",
      patterns: [/`cl\u0430ude` is not an agent name/],
    },
    { name: "agent starting with a digit", body: "/orch run 4o", patterns: [/`4o` is not an agent name/] },
    { name: "agent on reassign", body: "/orch reassign t1 Claude!", patterns: [/`Claude!` is not an agent name/] },
    {
      name: "lone agent on reassign",
      body: "/orch reassign ../claude",
      patterns: [/`..\/claude` is not an agent name/],
    },
    {
      name: "shell substitution as an agent",
      body: "/orch dispatch $(rm -rf /)",
      patterns: [/`\$\(rm` is not an agent name/],
    },
    {
      name: "a mention as an agent",
      body: "/orch dispatch @everyone",
      patterns: [/`@everyone` is not an agent name/],
    },
    // bad task keys
    { name: "task ../x", body: "/orch retry ../x", patterns: [/`\.\.\/x` is not a task key/, /`t1`, `t2`, …/] },
    { name: "task t0", body: "/orch retry t0", patterns: [/`t0` is not a task key/] },
    { name: "task t01", body: "/orch cancel t01", patterns: [/`t01` is not a task key/] },
    { name: "task task1", body: "/orch cleanup task1", patterns: [/`task1` is not a task key/] },
    { name: "task t1234", body: "/orch reassign t1234 claude", patterns: [/`t1234` is not a task key/] },
    {
      name: "words instead of a task",
      body: "/orch retry please try again",
      patterns: [/`please` is not a task key/, /Put feedback after `--`/],
    },
    // wrong number of arguments
    {
      name: "dispatch with words instead of instructions",
      body: "/orch dispatch fix the login bug",
      patterns: [/takes at most one AGENT, but got 4 words: `fix the login bug`/, /Put instructions after `--`/],
    },
    {
      name: "retry two tasks",
      body: "/orch retry t1 t2",
      patterns: [/`retry` takes at most one TASK, but got 2 words/],
    },
    { name: "reassign without an agent", body: "/orch reassign", patterns: [/`reassign` needs an AGENT/] },
    {
      name: "reassign a task without an agent",
      body: "/orch reassign T1",
      patterns: [/`reassign` needs an AGENT: `T1` is a task key/, /`\/orch reassign t1 claude`/],
    },
    {
      name: "reassign three words",
      body: "/orch reassign t1 claude now",
      patterns: [/at most a TASK and an AGENT, but got 3 words/],
    },
    {
      name: "cancel a task and the run",
      body: "/orch cancel t1 --run",
      patterns: [/`cancel` takes a TASK or `--run`, not both/],
    },
    {
      name: "cleanup two tasks",
      body: "/orch cleanup t1 t2",
      patterns: [/`cleanup` takes one TASK or `--run`, but got 2 words/],
    },
    {
      name: "status with an argument",
      body: "/orch status now",
      patterns: [/`status` takes no arguments, but got `now`/],
    },
    { name: "help on an unknown verb", body: "/orch help frob", patterns: [/no help on `frob`/] },
    { name: "help on a near miss", body: "/orch help retyr", patterns: [/Did you mean `\/orch help retry`\?/] },
    {
      name: "help on two verbs",
      body: "/orch help retry cancel",
      patterns: [/`help` takes at most one command name, but got 2 words/],
    },
    // hostile text
    {
      name: "NUL in the verb",
      body: "/orch dis\u0000patch",
      patterns: [/`dis\\u\{0\}patch` is not an orch command/],
    },
    { name: "backticks in the verb", body: "/orch `rm -rf`", patterns: [/`\\u\{60\}rm` is not an orch command/] },
    {
      name: "zero-width space in an agent name",
      body: "/orch dispatch cla\u200Bude",
      patterns: [/`cla\\u\{200b\}ude` is not an agent name/],
    },
    {
      name: "right-to-left override in an agent name",
      body: "/orch dispatch \u202Eedualc",
      patterns: [/`\\u\{202e\}edualc`/],
    },
    {
      name: "em dash from autocorrect",
      body: "/orch dispatch claude — fix it",
      patterns: [/Autocorrect may have turned `--` into a dash/],
    },
    {
      name: "en dash before run",
      body: "/orch cancel –run",
      patterns: [/`–run` is not a task key/, /Autocorrect/],
    },
  ])("$name", ({ body, patterns }) => {
    const message = onlyError(body);
    for (const pattern of patterns) expect(message).toMatch(pattern);
  });

  it("a very long line is echoed in at most ~100 characters", () => {
    const message = onlyError(`/orch ${"a".repeat(100_000)}`);
    expect(message).toMatch(/^`a{100}…` is not an orch command\./);
    expect(message.length).toBeLessThan(400);
  });

  it("escapes every backtick, so a reply cannot leave its code span", () => {
    const message = onlyError("/orch dispatch ``` `@everyone` ```");
    // The only backticks left are the ones the message itself puts around code.
    expect(message.split("\n")[0]).toBe(
      "`\\u{60}\\u{60}\\u{60}` is not an agent name. Agent names start with a letter and hold only " +
        "letters, digits, `-` and `_` (at most 32 characters), e.g. `claude`.",
    );
  });

  describe("full messages", () => {
    it("/orch alone", () => {
      expect(onlyError("/orch")).toMatchInlineSnapshot(`
        "\`/orch\` needs a command after it.

        Commands: \`dispatch\` (or \`run\`), \`retry\`, \`reassign\`, \`cancel\`, \`council\`, \`pick\`, \`cleanup\`, \`verify\`, \`ask\`, \`status\`, \`help\`. Type \`/orch help\` for their usage."
      `);
    });

    it("unknown verb with a near match", () => {
      expect(onlyError("/orch retyr t1")).toMatchInlineSnapshot(`
        "\`retyr\` is not an orch command. Did you mean \`/orch retry\`? Its usage: \`/orch retry [TASK] [-- FEEDBACK]\`

        Commands: \`dispatch\` (or \`run\`), \`retry\`, \`reassign\`, \`cancel\`, \`council\`, \`pick\`, \`cleanup\`, \`verify\`, \`ask\`, \`status\`, \`help\`. Type \`/orch help\` for their usage."
      `);
    });

    it("unknown verb without a near match", () => {
      expect(onlyError("/orch deploy")).toMatchInlineSnapshot(`
        "\`deploy\` is not an orch command.

        Commands: \`dispatch\` (or \`run\`), \`retry\`, \`reassign\`, \`cancel\`, \`council\`, \`pick\`, \`cleanup\`, \`verify\`, \`ask\`, \`status\`, \`help\`. Type \`/orch help\` for their usage."
      `);
    });

    it("reassign with a task and no agent", () => {
      expect(onlyError("/orch reassign t1")).toMatchInlineSnapshot(`
        "\`reassign\` needs an AGENT: \`t1\` is a task key. Name the agent after it, e.g. \`/orch reassign t1 claude\`.

        Usage: \`/orch reassign [TASK] AGENT [-- FEEDBACK]\`
        Example: \`/orch reassign t2 gemini -- start from the failing test\`"
      `);
    });

    it("bad task key", () => {
      expect(onlyError("/orch retry task1")).toMatchInlineSnapshot(`
        "\`task1\` is not a task key. Task keys are \`t\` and a number: \`t1\`, \`t2\`, … (the status comment lists this thread's tasks).

        Usage: \`/orch retry [TASK] [-- FEEDBACK]\`
        Example: \`/orch retry t2 -- the tests still fail on Windows\`"
      `);
    });

    it("bad agent name", () => {
      expect(onlyError("/orch dispatch $(rm -rf /)")).toMatchInlineSnapshot(`
        "\`$(rm\` is not an agent name. Agent names start with a letter and hold only letters, digits, \`-\` and \`_\` (at most 32 characters), e.g. \`claude\`.

        Usage: \`/orch dispatch [AGENT] [-- INSTRUCTIONS]\`
        Example: \`/orch dispatch codex -- fix the flaky login test; keep the public API unchanged\`"
      `);
    });

    it("unknown flag", () => {
      expect(onlyError("/orch cancel --force")).toMatchInlineSnapshot(`
        "\`--force\` is not an option of \`/orch cancel\`. Its only option is \`--run\`.

        Usage: \`/orch cancel [TASK | --run]\`
        Example: \`/orch cancel --run\`"
      `);
    });

    it("too many arguments", () => {
      expect(onlyError("/orch dispatch fix the flaky test")).toMatchInlineSnapshot(`
        "\`dispatch\` takes at most one AGENT, but got 4 words: \`fix the flaky test\`. Put instructions after \`--\`.

        Usage: \`/orch dispatch [AGENT] [-- INSTRUCTIONS]\`
        Example: \`/orch dispatch codex -- fix the flaky login test; keep the public API unchanged\`"
      `);
    });

    it("-- where no text is taken", () => {
      expect(onlyError("/orch status -- please")).toMatchInlineSnapshot(`
        "\`/orch status\` takes no text after \`--\`.

        Usage: \`/orch status\`"
      `);
    });

    it("instructions over the limit", () => {
      expect(onlyError(`/orch dispatch -- ${"x".repeat(25_000)}`)).toMatchInlineSnapshot(
        `"After \`--\` come 25,000 characters of instructions; the limit is 20,000. Shorten the instructions, or put the details in the issue and point to them."`,
      );
    });

    it("autocorrected dash", () => {
      expect(onlyError("/orch retry t1 — still failing")).toMatchInlineSnapshot(`
        "\`retry\` takes at most one TASK, but got 4 words: \`t1 — still failing\`. Retry one task per line, and put feedback after \`--\`.

        Usage: \`/orch retry [TASK] [-- FEEDBACK]\`
        Example: \`/orch retry t2 -- the tests still fail on Windows\`

        Autocorrect may have turned \`--\` into a dash (—): type two hyphens, \`--\`."
      `);
    });

    it("hostile characters in the verb", () => {
      expect(onlyError("/orch `x`\u0000\u202E")).toMatchInlineSnapshot(`
        "\`\\u{60}x\\u{60}\\u{0}\\u{202e}\` is not an orch command.

        Commands: \`dispatch\` (or \`run\`), \`retry\`, \`reassign\`, \`cancel\`, \`council\`, \`pick\`, \`cleanup\`, \`verify\`, \`ask\`, \`status\`, \`help\`. Type \`/orch help\` for their usage."
      `);
    });
  });
});

describe("parseComment: too many commands", () => {
  it(`runs ${MAX_COMMANDS_PER_COMMENT} commands and says the rest were not run`, () => {
    const body = [...Array<string>(11).fill("/orch status"), "/orch cancel t1", "text"].join("\n");
    const results = parseComment(body);
    expect(results).toHaveLength(MAX_COMMANDS_PER_COMMENT + 1);
    expect(results.slice(0, MAX_COMMANDS_PER_COMMENT)).toEqual(
      Array<ParseResult>(MAX_COMMANDS_PER_COMMENT).fill({
        kind: "command",
        command: { verb: "status" },
        line: "/orch status",
      }),
    );
    expect(results[MAX_COMMANDS_PER_COMMENT]).toMatchInlineSnapshot(`
      {
        "kind": "error",
        "line": "/orch status",
        "message": "Only the first 10 commands of a comment are run. This comment has 12, so the last 2 were not run. Post them in another comment.",
      }
    `);
  });

  it(`allows exactly ${MAX_COMMANDS_PER_COMMENT}`, () => {
    const results = parseComment(Array<string>(MAX_COMMANDS_PER_COMMENT).fill("/orch status").join("\n"));
    expect(results.map((result) => result.kind)).toEqual(Array<string>(MAX_COMMANDS_PER_COMMENT).fill("command"));
  });

  it("the eleventh command line still ends the tenth command's instructions", () => {
    const body = [
      ...Array<string>(9).fill("/orch status"),
      "/orch dispatch -- fix it",
      "/orch dispatch -- never",
    ].join("\n");
    const results = parseComment(body);
    expect(results[9]).toEqual({
      kind: "command",
      command: { verb: "dispatch", instructions: "fix it" },
      line: "/orch dispatch -- fix it",
    });
    expect(results[10]).toMatchObject({ kind: "error", line: "/orch dispatch -- never" });
  });
});

describe("isValidTaskKey", () => {
  it.each<{ name: string; text: string; valid: boolean }>([
    { name: "t1", text: "t1", valid: true },
    { name: "two digits", text: "t12", valid: true },
    { name: "three digits", text: "t999", valid: true },
    { name: "upper case", text: "T3", valid: true },
    { name: "zero", text: "t0", valid: false },
    { name: "leading zero", text: "t01", valid: false },
    { name: "four digits", text: "t1000", valid: false },
    { name: "no number", text: "t", valid: false },
    { name: "a word", text: "task1", valid: false },
    { name: "a path", text: "../t1", valid: false },
    { name: "a blank before", text: " t1", valid: false },
    { name: "a newline after", text: "t1\n", valid: false },
    { name: "fullwidth digit", text: "t\uFF11", valid: false },
    { name: "empty", text: "", valid: false },
  ])("$name", ({ text, valid }) => {
    expect(isValidTaskKey(text)).toBe(valid);
  });
});

describe("isValidAgentName", () => {
  it.each<{ name: string; text: string; valid: boolean }>([
    { name: "a word", text: "claude", valid: true },
    { name: "any case", text: "Claude", valid: true },
    { name: "digits, - and _", text: "gpt-4o_mini", valid: true },
    { name: "one letter", text: "a", valid: true },
    { name: "32 characters", text: "a".repeat(32), valid: true },
    { name: "33 characters", text: "a".repeat(33), valid: false },
    { name: "empty", text: "", valid: false },
    { name: "a flag", text: "-rf", valid: false },
    { name: "a digit first", text: "4o", valid: false },
    { name: "an underscore first", text: "_x", valid: false },
    { name: "punctuation", text: "claude!", valid: false },
    { name: "a blank inside", text: "cla ude", valid: false },
    { name: "a path", text: "../claude", valid: false },
    { name: "a non-ASCII letter", text: "\u00FCber", valid: false },
    { name: "the Kelvin sign, which lowercases to k", text: "\u212Aodex", valid: false },
    { name: "a newline after", text: "claude\n", valid: false },
  ])("$name", ({ text, valid }) => {
    expect(isValidAgentName(text)).toBe(valid);
  });
});

describe("VERBS", () => {
  const entries = VERBS.map((spec) => ({ name: spec.name, spec }));
  it.each(entries)("$name: usage and examples fit the grammar", ({ spec }) => {
    expect(spec.usage.startsWith(`/orch ${spec.name}`)).toBe(true);
    expect(spec.examples.length).toBeGreaterThanOrEqual(1);
    expect(spec.examples.length).toBeLessThanOrEqual(3);
    expect(spec.description).not.toMatch(/\n/);
    for (const example of spec.examples) {
      const results = parseComment(example);
      expect(results).toEqual([expect.objectContaining({ kind: "command" })]);
      expect(results[0]).toMatchObject({ command: { verb: spec.name } });
    }
  });

  it("names and aliases are unique", () => {
    const words = VERBS.flatMap((spec) => [spec.name, ...spec.aliases]);
    expect(new Set(words).size).toBe(words.length);
  });

  it.each<{ name: string; word: string; verb: string | undefined }>([
    { name: "a name", word: "retry", verb: "retry" },
    { name: "an alias", word: "run", verb: "dispatch" },
    { name: "any case", word: "ReAssign", verb: "reassign" },
    { name: "a longer word", word: "dispatcher", verb: undefined },
    { name: "a blank", word: " help", verb: undefined },
    { name: "a dotless-i lookalike", word: "help\u0131", verb: undefined },
  ])("findVerb: $name", ({ word, verb }) => {
    expect(findVerb(word)?.name).toBe(verb);
  });
});

describe("parseComment: properties", () => {
  const pieces = fc.constantFrom(
    "/orch", "/ORCH ", "dispatch", "run", "retry", "reassign", "cancel", "cleanup", "status", "help",
    " ", "\t", "    ", "\n", "\r\n", "\r", "--", " -- ", "--run", "t1", "t0", "claude", "Claude!",
    "```", "~~~", "````", "<!--", "-->", "> ", "`", "\u0000", "\u200B", "\uFF0F", "—", "x".repeat(300),
  );
  const grammarish = fc
    .array(fc.oneof(pieces, fc.string({ maxLength: 5 })), { maxLength: 80 })
    .map((parts) => parts.join(""));
  const bodies = fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme", maxLength: 300 }),
    fc.string({ unit: "binary", maxLength: 300 }),
    grammarish,
    fc.array(grammarish, { maxLength: 20 }).map((lines) => lines.map((line) => `/orch ${line}`).join("\n")),
  );

  it("never throws, returns at most 11 results, and keeps every field within its limits", () => {
    fc.assert(
      fc.property(bodies, (body) => {
        const results = parseComment(body);
        expect(results.length).toBeLessThanOrEqual(MAX_COMMANDS_PER_COMMENT + 1);
        for (const result of results) {
          expect([...result.line].length).toBeLessThanOrEqual(201);
          if (result.kind === "error") {
            expect(result.message.length).toBeLessThan(2000);
            continue;
          }
          const { command } = result;
          if ("agent" in command && command.agent !== undefined) {
            expect(isValidAgentName(command.agent) && command.agent === command.agent.toLowerCase()).toBe(true);
          }
          const task =
            "task" in command
              ? command.task
              : "scope" in command && command.scope.kind === "task"
                ? command.scope.task
                : undefined;
          if (task !== undefined) expect(isValidTaskKey(task) && task === task.toLowerCase()).toBe(true);
          const text =
            "instructions" in command ? command.instructions : "feedback" in command ? command.feedback : undefined;
          if (text !== undefined) {
            expect(text.length).toBeGreaterThan(0);
            expect(text.length).toBeLessThanOrEqual(MAX_FREE_TEXT_LENGTH);
            expect(text).toBe(text.trimEnd());
            expect(text).not.toMatch(/\r/);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it("finds no command inside a fence longer than any run in the text", () => {
    fc.assert(
      fc.property(bodies, (text) => {
        const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
        const fence = "`".repeat(Math.max(3, longestRun + 1));
        expect(parseComment(`${fence}\n${text}\n${fence}`)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("finds no command when every line is quoted", () => {
    fc.assert(
      fc.property(bodies, (text) => {
        const quoted = text
          .split(/\r\n|\r|\n/)
          .map((line) => `> ${line}`)
          .join("\n");
        expect(parseComment(quoted)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { buildAgentArgv } from "./build-argv.js";

const codex = { command: ["codex", "exec", "--sandbox", "workspace-write", "{prompt}"] };

describe("buildAgentArgv", () => {
  it.each([
    {
      name: "replaces a bare placeholder element",
      command: ["codex", "exec", "{prompt}"],
      prompt: "fix the bug",
      want: ["codex", "exec", "fix the bug"],
    },
    {
      name: "replaces inside an element",
      command: ["aider", "--message={prompt}"],
      prompt: "add tests",
      want: ["aider", "--message=add tests"],
    },
    {
      name: "replaces every occurrence, in every element",
      command: ["tool", "{prompt}", "--again={prompt}/{prompt}"],
      prompt: "p",
      want: ["tool", "p", "--again=p/p"],
    },
    {
      name: "leaves an argv without placeholder unchanged (agent reads ORCH_PROMPT_FILE)",
      command: ["my-agent", "--from-env"],
      prompt: "ignored here",
      want: ["my-agent", "--from-env"],
    },
    {
      name: "an empty prompt gives an empty element, not a missing one",
      command: ["codex", "exec", "{prompt}"],
      prompt: "",
      want: ["codex", "exec", ""],
    },
    {
      name: "near-miss placeholders are not placeholders",
      command: ["tool", "{Prompt}", "{ prompt }", "{prompt", "prompt}", "$prompt", "{{prompt}}"],
      prompt: "X",
      want: ["tool", "{Prompt}", "{ prompt }", "{prompt", "prompt}", "$prompt", "{X}"],
    },
  ])("$name", ({ command, prompt, want }) => {
    expect(buildAgentArgv({ command }, { prompt })).toEqual(want);
  });

  it.each([
    { name: "command substitution", prompt: "$(rm -rf /)" },
    { name: "backticks", prompt: "`rm -rf /`" },
    { name: "quote breakout and comment", prompt: '"; rm -rf / #' },
    { name: "single-quote breakout", prompt: "'; rm -rf / #" },
    { name: "variables, tilde and globs", prompt: "$HOME ~ ~/.ssh/* ${GITHUB_TOKEN} *.ts" },
    { name: "command separators and pipes", prompt: "a; b && c || d | e & f > /etc/passwd < /dev/zero" },
    { name: "newlines and tabs", prompt: "line one\nline two\r\n\tindented\n" },
    { name: "looks like a flag", prompt: "--dangerously-bypass-approvals-and-sandbox" },
    { name: "regex replacement tokens", prompt: "$& $1 $$ $` $'" },
    { name: "the placeholder itself", prompt: "{prompt}" },
    { name: "the placeholder among text", prompt: "say {prompt} twice: {prompt}{prompt}" },
    { name: "unicode and emoji", prompt: "héllo — 世界 🚀 \u202e" },
  ])("keeps a hostile prompt as exactly one argv element: $name", ({ prompt }) => {
    const argv = buildAgentArgv(codex, { prompt });
    expect(argv).toHaveLength(codex.command.length);
    expect(argv.slice(0, -1)).toEqual(codex.command.slice(0, -1));
    expect(argv.at(-1)).toBe(prompt);
  });

  it("does not expand {prompt} that comes from the prompt inside a larger element", () => {
    const argv = buildAgentArgv({ command: ["gemini", "--prompt={prompt}"] }, { prompt: "a {prompt} b" });
    expect(argv).toEqual(["gemini", "--prompt=a {prompt} b"]);
  });

  it("does not change the spec it was given", () => {
    const spec = { command: ["codex", "exec", "{prompt}"] };
    buildAgentArgv(spec, { prompt: "x" });
    expect(spec.command).toEqual(["codex", "exec", "{prompt}"]);
  });

  it("reaches a real process as the same single argument (no shell in between)", () => {
    const prompt = '$(touch /tmp/orch-pwned) "; echo pwned #\n`id` {prompt} *';
    const argv = buildAgentArgv(
      { command: [process.execPath, "-e", "process.stdout.write(JSON.stringify(process.argv.slice(1)))", "{prompt}"] },
      { prompt },
    );
    const [program, ...args] = argv as [string, ...string[]];
    const received = JSON.parse(execFileSync(program, args, { encoding: "utf8" })) as string[];
    expect(received).toEqual([prompt]);
  });

  it.each([
    { name: "the attempt's folder for a CLI's own sandbox", command: ["claude", "-p", "{prompt}", "--add-dir", "{attempt_dir}"], want: ["claude", "-p", "P", "--add-dir", "/io"] },
    { name: "inside an argument", command: ["gemini", "--include-directories={attempt_dir}", "--prompt={prompt}"], want: ["gemini", "--include-directories=/io", "--prompt=P"] },
    { name: "the result file", command: ["my-agent", "--report", "{result_file}"], want: ["my-agent", "--report", "/io/result.json"] },
    { name: "several in one argument", command: ["x", "{attempt_dir}:{result_file}"], want: ["x", "/io:/io/result.json"] },
    { name: "an unknown placeholder stays", command: ["x", "{home}"], want: ["x", "{home}"] },
  ])("replaces $name", ({ command, want }) => {
    expect(buildAgentArgv({ command }, { prompt: "P", attemptDir: "/io", resultFile: "/io/result.json" })).toEqual(want);
  });

  it("never expands a placeholder the prompt holds, nor one the paths hold", () => {
    const argv = buildAgentArgv({ command: ["x", "{prompt}", "{attempt_dir}"] }, { prompt: "{attempt_dir} {result_file}", attemptDir: "/io/{prompt}" });
    expect(argv).toEqual(["x", "{attempt_dir} {result_file}", "/io/{prompt}"]);
  });

  it("leaves a path placeholder as written when orch has no value for it", () => {
    expect(buildAgentArgv({ command: ["x", "--add-dir", "{attempt_dir}"] }, { prompt: "P" })).toEqual(["x", "--add-dir", "{attempt_dir}"]);
  });
});

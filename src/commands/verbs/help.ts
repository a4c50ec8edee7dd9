/** `/orch help [VERB]`: usage, of every command or of one, rendered from the entries. */
import { renderHelp } from "../../render/reply.js";
import { userCode } from "../../render/markdown.js";
import { tooManyWords } from "../grammar/shared.js";
import { defineVerb, type VerbDefinition } from "../verb.js";
import type { VerbRegistry } from "./index.js";

export interface HelpCommand {
  verb: "help";
  /** The verb asked about (an alias names its verb). */
  topic?: string;
}

/** The help verb, over the registry it describes (which lists it, so it is handed the registry rather than importing it). */
export function helpVerbOf(verbs: VerbRegistry): VerbDefinition<HelpCommand> {
  return defineVerb<HelpCommand>({
    name: "help",
    aliases: [],
    usage: "/orch help [VERB]",
    description: "usage, of every command or of one",
    examples: ["/orch help", "/orch help reassign"],
    flags: [],

    parse(args) {
      const [word, ...extra] = args.positionals;
      if (word === undefined) return { verb: "help" };
      const topic = verbs.find(word);
      if (topic === undefined) {
        const near = verbs.near(word);
        return {
          problem:
            `There is no help on ${userCode(word)}: it is not an orch command.` + (near === undefined ? "" : ` Did you mean \`/orch help ${near}\`?`),
        };
      }
      if (extra.length > 0) return tooManyWords("`help` takes at most one command name", args, "");
      return { verb: "help", topic: topic.name };
    },

    async run(deps, _request, command) {
      const { config } = deps;
      return {
        kind: "text",
        markdown: renderHelp({
          verbs: verbs.all(),
          topic: command.topic === undefined ? undefined : verbs.find(command.topic),
          agents: Object.keys(config.agents)
            .sort()
            .map((name) => ({ name, description: config.agents[name]!.description })),
          defaultAgent: config.defaultAgent,
        }),
      };
    },
  });
}

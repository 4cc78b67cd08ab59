import type { MeshTaskProps } from "../../constructs/mesh";
import { TaskDriver, type TaskDriverKind } from "../../constructs/nomad";

/**
 * Request-handler methods the demos' Python servers share: a plain reply, and no access log on
 * stderr. Indented to sit in a `BaseHTTPRequestHandler` subclass.
 */
export const HANDLER_HELPERS = `    def reply(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass
`;

/** A demo program run from the task directory: `source`, rendered by a Nomad template, run by `python`. */
export interface PythonProgram {
  /** Task name. */
  readonly name: string;
  /** File name in the task's `local/` directory. */
  readonly file: string;
  /** The program (free of `{{`, so consul-template leaves it alone). */
  readonly source: string;
  /** Environment of the task. */
  readonly env: Record<string, string>;
  /** Python 3 interpreter. */
  readonly python: string;
}

/** A task running a Python program with raw_exec or exec (the demos' stand-in for images without Docker). */
export function pythonTask(driver: TaskDriverKind, program: PythonProgram): MeshTaskProps {
  const rawExec = driver === "raw_exec";
  const options = { command: program.python, args: [`${rawExec ? "local" : "/local"}/${program.file}`] };
  return {
    name: program.name,
    driver: rawExec ? TaskDriver.rawExec(options) : TaskDriver.exec(options),
    env: program.env,
    templates: [{ EmbeddedTmpl: program.source, DestPath: `local/${program.file}`, ChangeMode: "restart" }],
  };
}

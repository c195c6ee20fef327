import { it } from "vitest";
import { runCli } from "../cli.js";

it("help", async () => {
  const out: string[] = [];
  const io = {
    stdout: { write: (d: unknown) => out.push(String(d)) },
    stderr: { write: (d: unknown) => out.push(String(d)) },
    env: {},
  };
  await runCli(["--help"], io);
  await runCli(["disk-img", "--help"], io);
  await runCli(["disk-img", "create", "--help"], io);
  console.log(out.join(""));
});

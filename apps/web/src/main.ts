import "@xterm/xterm/css/xterm.css";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { ensureIsolation } from "./isolation.js";
import { PRESETS, type Preset } from "./presets.js";
import type { FromWorker, HostView, ToWorker, VmOp, VmView, WorkerCommand } from "./protocol.js";
import { ConfigEditor } from "./ui/config-editor.js";
import { Plots } from "./ui/plots.js";
import { Terminals } from "./ui/terminals.js";

const $ = <T extends HTMLElement>(sel: string): T => {
  const el = document.querySelector<T>(sel);
  if (el === null) throw new Error(`the page has no ${sel}`);
  return el;
};

if (!(await ensureIsolation())) {
  $("#host-info").textContent =
    "This page needs cross-origin isolation (SharedArrayBuffer): serve it over http://localhost " +
    "or https so its service worker can add the COOP/COEP headers, or with pnpm web / pnpm web:preview.";
  throw new Error("not cross-origin isolated");
}

const worker = new Worker(new URL("./worker/vmm-worker.ts", import.meta.url), {
  type: "module",
  name: "axvisor-vmm",
});
let seq = 0;
const pending = new Map<number, (r: Extract<FromWorker, { t: "reply" }>) => void>();

/** Sends a command to the VMM worker; resolves with its reply. */
function call(m: WorkerCommand): Promise<Extract<FromWorker, { t: "reply" }>> {
  const s = ++seq;
  return new Promise((resolve) => {
    pending.set(s, resolve);
    worker.postMessage({ ...m, seq: s } as ToWorker);
  });
}

const terminals = new Terminals($("#consoles"), (id, data) =>
  worker.postMessage({ t: "input", id, data } satisfies ToWorker),
);
const editor = new ConfigEditor(
  $<HTMLTextAreaElement>("#toml"),
  $(".editor .gutter"),
  $("#problems"),
  "config.toml",
);
let editorSource = "/configs/vms/editor.toml";
let plots: Plots | undefined;
let host: HostView | undefined;
let vms: readonly VmView[] = [];
const logBox = $("#log");
const logLines: string[] = [];
const bootedAt = performance.now();
/** Milliseconds from page start to the first appearance of a text in a VM's console. */
const firstSeen = new Map<string, number>();
/** When each VM was created by this page (its boot time counts from there). */
const createdAt = new Map<number, number>();

function log(line: string): void {
  logLines.push(line);
  if (logLines.length > 400) logLines.shift();
  logBox.textContent = logLines.join("\n");
  logBox.scrollTop = logBox.scrollHeight;
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.t) {
    case "ready":
      host = m.host;
      $("#host-info").textContent =
        `${m.host.platform}: ${m.host.cpus} host CPUs, ${m.host.ramBytes >> 20} MiB host RAM, ` +
        (m.host.isolated
          ? "cross-origin isolated (shared RAM, JIT on)"
          : "NOT cross-origin isolated");
      return;
    case "output":
      // Output can come before the VM list that names the VM: the terminal is made now.
      terminals.ensure(m.id, vms.find((v) => v.id === m.id)?.name ?? "");
      terminals.write(m.id, m.data);
      return;
    case "vms":
      vms = m.vms;
      renderVms();
      return;
    case "stats":
      plots ??= new Plots(
        { mips: $("#plot-mips"), exits: $("#plot-exits"), time: $("#plot-time") },
        m.kinds,
      );
      plots.add(m.at, m.vms);
      return;
    case "log":
      log(m.line);
      return;
    case "reply":
      pending.get(m.seq)?.(m);
      pending.delete(m.seq);
      return;
    case "fatal":
      $("#host-info").textContent = `VMM failure: ${m.message}`;
      log(`VMM failure: ${m.message}`);
      return;
  }
};
worker.onerror = (e) => log(`worker error: ${e.message}`);

// --- the VM list -------------------------------------------------------------------------

const OPS: readonly VmOp[] = ["start", "stop", "suspend", "resume", "restart", "delete"];

function renderVms(): void {
  const body = $("#vm-list tbody");
  const rows = vms.map((vm) => {
    terminals.ensure(vm.id, vm.name);
    const tr = document.createElement("tr");
    tr.dataset.vm = String(vm.id);
    const vcpus = vm.vcpus.map((v, i) => `${i}:${v.state}`).join(" ");
    const cells = [String(vm.id), vm.name, vm.status, vcpus, `${vm.memoryBytes >> 20} MiB`];
    for (const [i, text] of cells.entries()) {
      const td = document.createElement("td");
      td.textContent = text;
      if (i === 2) {
        td.className = `status status-${vm.status.toLowerCase()}`;
        if (vm.end !== undefined) td.title = vm.end;
      }
      tr.append(td);
    }
    const ops = document.createElement("td");
    for (const op of OPS) {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = op;
      b.dataset.op = op;
      b.addEventListener("click", async () => {
        const r = await call({ t: "op", op, id: vm.id });
        log(r.ok ? `VM ${vm.id}: ${op}` : `VM ${vm.id}: ${op}: ${r.message}`);
      });
      ops.append(b);
    }
    tr.append(ops);
    return tr;
  });
  body.replaceChildren(...rows);
  terminals.keepOnly(new Set(vms.map((v) => v.id)));
}

// --- creating VMs ------------------------------------------------------------------------

let sharedGuests = false;

async function fetchFiles(p: Preset): Promise<boolean> {
  for (const f of p.files) {
    log(`fetching ${f.url}`);
    const r = await call({ t: "fetch-file", url: f.url, path: f.path, readOnly: f.readOnly });
    log(r.message);
    if (!r.ok) return false;
  }
  return true;
}

async function createVm(
  toml: string,
  source: string,
  start: boolean,
  freeId: boolean,
): Promise<string> {
  const r = await call({ t: "create", toml, source, start, freeId });
  if (r.ok && r.id !== undefined) {
    createdAt.set(r.id, performance.now());
    terminals.focus(r.id);
  }
  return r.ok ? r.message : `error: ${r.message}`;
}

/** Loads a preset into the editor and fetches the files it needs. */
async function usePreset(p: Preset): Promise<void> {
  editor.value = p.toml;
  editorSource = p.source;
  $("#create-result").textContent = p.files.length > 0 ? "fetching its files…" : "";
  const ok = await fetchFiles(p);
  $("#create-result").textContent = ok ? "" : "could not fetch its files (see the log)";
}

/** Fetches a preset's files and boots it with a free VM id (`?boot=linux` and the button). */
async function bootPreset(p: Preset): Promise<string> {
  if (!(await fetchFiles(p))) return "error: its files could not be fetched";
  return createVm(p.toml, p.source, true, true);
}

$("#create").addEventListener("click", async () => {
  const out = $("#create-result");
  if (!editor.check()) {
    out.textContent = `${editor.problems.length} problem(s) in the config`;
    return;
  }
  out.textContent = "creating…";
  out.textContent = await createVm(
    editor.value,
    editorSource,
    $<HTMLInputElement>("#create-start").checked,
    false,
  );
});

async function renderPresets(): Promise<void> {
  try {
    const r = await fetch("shared-guests/index.json");
    sharedGuests = r.ok && Array.isArray(await r.json());
  } catch {
    sharedGuests = false;
  }
  const box = $("#presets");
  for (const p of PRESETS) {
    const edit = document.createElement("button");
    edit.type = "button";
    edit.textContent = `edit: ${p.label}`;
    const boot = document.createElement("button");
    boot.type = "button";
    boot.textContent = `boot: ${p.label}`;
    boot.dataset.preset = p.key;
    if (p.needsSharedGuests && !sharedGuests) {
      edit.disabled = boot.disabled = true;
      edit.title = boot.title = "needs ../shared/guests served beside the site (pnpm web)";
    }
    edit.addEventListener("click", () => void usePreset(p));
    boot.addEventListener("click", async () => {
      $("#create-result").textContent = `booting ${p.label}…`;
      $("#create-result").textContent = await bootPreset(p);
    });
    box.append(edit, boot);
  }
  const q = new URLSearchParams(location.search).get("boot");
  const auto = PRESETS.find((p) => p.key === q && (sharedGuests || !p.needsSharedGuests));
  if (auto !== undefined) {
    $("#create-result").textContent = await bootPreset(auto);
  }
}

// --- files -------------------------------------------------------------------------------

const fileList = $("#files");

async function addFiles(list: FileList | readonly File[]): Promise<void> {
  for (const f of Array.from(list)) {
    const bytes = new Uint8Array(await f.arrayBuffer());
    const path = `/files/${f.name}`;
    const r = await call({ t: "put-file", path, bytes, readOnly: false });
    log(r.ok ? `added ${r.message}` : `${f.name}: ${r.message}`);
    const li = document.createElement("li");
    li.textContent = `${path} (${bytes.length} bytes) `;
    const fs = document.createElement("button");
    fs.type = "button";
    fs.textContent = "use as fs disk";
    fs.title = 'the FAT32 disk image_location = "fs" configs read their images from';
    fs.addEventListener("click", async () => {
      const again = new Uint8Array(await f.arrayBuffer());
      const r2 = await call({
        t: "put-file",
        path: "/files/fs-disk.img",
        bytes: again,
        readOnly: true,
      });
      log(r2.ok ? `${f.name} is the fs disk` : r2.message);
    });
    li.append(fs);
    fileList.append(li);
  }
}

$<HTMLInputElement>("#file-input").addEventListener("change", (e) => {
  const input = e.target as HTMLInputElement;
  if (input.files !== null) void addFiles(input.files);
});
const drop = $("#drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  if (e.dataTransfer !== null) void addFiles(e.dataTransfer.files);
});

// --- a small API for tests and the console -----------------------------------------------

/** What the e2e tests (and a curious user in devtools) read of the page. */
const api = {
  terminalText: (id: number) => terminals.text(id),
  vms: () => vms,
  host: () => host,
  plotPoints: () => plots?.points ?? 0,
  problems: () => editor.problems,
  sharedGuests: () => sharedGuests,
  /**
   * Milliseconds from the VM's creation (the page's load for the demo) until `text` first
   * appeared in VM `id`'s console, polled every 50 ms.
   */
  waitFor: async (id: number, text: string, timeoutMs: number): Promise<number> => {
    const key = `${id}\u0000${text}`;
    const t0 = performance.now();
    while (performance.now() - t0 < timeoutMs) {
      const seen = firstSeen.get(key);
      if (seen !== undefined) return seen;
      if (terminals.text(id).includes(text)) {
        const at = performance.now() - (createdAt.get(id) ?? bootedAt);
        firstSeen.set(key, at);
        return at;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`VM ${id} did not print ${JSON.stringify(text)} in ${timeoutMs} ms`);
  },
};
(globalThis as { axvisor?: typeof api }).axvisor = api;

editor.value = PRESETS[0]?.toml ?? "";
editorSource = PRESETS[0]?.source ?? editorSource;
void renderPresets();

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFat32, MemoryImage, minimumVolumeBytes } from "@axvisor/fat32";
import type { BrowserContext, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedGuestsDir } from "../vite/shared-guests.js";

import { chromiumMissing, launchChromium } from "./browser.js";
import { serveSite } from "./static-server.js";

/** The page runs the emulator on the main thread: on a loaded machine it answers in seconds. */
const POLL = { timeout: 10_000 };

const webRoot = fileURLToPath(new URL("..", import.meta.url));
/** Screenshots of the run (not committed): <repo>/tmp/artifacts/web. */
const artifacts = join(webRoot, "../../tmp/artifacts/web");
const guests = sharedGuestsDir(webRoot);
const missing = chromiumMissing();
// Linux boots in about 10 s here, so it runs whenever the guests are there (=0 skips it).
const linuxSkip =
  process.env.AXVISOR_WEB_LINUX === "0"
    ? "AXVISOR_WEB_LINUX=0"
    : !existsSync(join(guests, "riscv64/linux-Image"))
      ? `${guests} has no riscv64 Linux`
      : undefined;
if (missing !== undefined) console.log(`skipping the web e2e tests: ${missing}`);
if (linuxSkip !== undefined) console.log(`skipping Linux in the browser: ${linuxSkip}`);

interface PageApi {
  terminalText(id: number): string;
  vms(): { id: number; name: string; status: string }[];
  plotPoints(): number;
  waitFor(id: number, text: string, timeoutMs: number): Promise<number>;
}
declare const axvisor: PageApi;

describe.skipIf(missing !== undefined)("AxVisor.ts in chromium", () => {
  let out: string;
  let site: { url: string; server: Server };
  let close: () => Promise<void>;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "axvisor-web-"));
    await build({
      configFile: join(webRoot, "vite.config.ts"),
      logLevel: "error",
      build: { outDir: out, emptyOutDir: true },
    });
    site = await serveSite(out, { guests });
    ({ context, close } = await launchChromium());
    page = await context.newPage();
    page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
    mkdirSync(artifacts, { recursive: true });
    await page.goto(site.url);
  }, 90_000);

  afterAll(async () => {
    await close?.();
    site?.server.close();
    if (out !== undefined) rmSync(out, { recursive: true, force: true });
  });

  /** Types into VM `id`'s terminal (xterm.js takes the keys from its hidden text area). */
  async function type(id: number, text: string): Promise<void> {
    await page.locator(`.term[data-vm="${id}"] .xterm`).click();
    await page.keyboard.type(text);
  }

  const lines = (id: number) =>
    page.evaluate((i) => axvisor.terminalText(i), id).then((t) => t.split("\n"));

  it("boots the demo under the hypervisor in a worker, cross-origin isolated", async () => {
    await page.evaluate(() => axvisor.waitFor(1, "DEMO-READY", 30_000));
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect
      .poll(() => page.locator("#host-info").textContent())
      .toContain("isolated (shared RAM");
    expect(await page.locator('#vm-list tr[data-vm="1"] .status').textContent()).toBe("Running");
  });

  it("the demo answers a command typed into its terminal", async () => {
    await type(1, "echo typed-in-chromium\r");
    await page.evaluate(() => axvisor.waitFor(1, "\ntyped-in-chromium", 10_000)).catch(() => {});
    await expect.poll(() => lines(1), { timeout: 10_000 }).toContain("typed-in-chromium");
  });

  it("Ctrl-A c opens the VMM shell in the VM's terminal; vm list answers there", async () => {
    await type(1, "\u0001c");
    await type(1, "vm list\r");
    await expect
      .poll(async () => (await lines(1)).some((l) => /\b1\s+demo\s+Running\b/.test(l)), {
        timeout: 10_000,
      })
      .toBe(true);
    await type(1, "\u0001c");
    await expect.poll(() => lines(1), POLL).toContain("[back to the guest console]");
  });

  it("the panel suspends and resumes the VM", async () => {
    const status = page.locator('#vm-list tr[data-vm="1"] .status');
    await page.locator('#vm-list tr[data-vm="1"] button[data-op="suspend"]').click();
    await expect.poll(() => status.textContent(), POLL).toBe("Suspended");
    await page.locator('#vm-list tr[data-vm="1"] button[data-op="resume"]').click();
    await expect.poll(() => status.textContent(), POLL).toBe("Running");
  });

  it("a broken config shows axvmconfig's error at its line in the editor", async () => {
    const text = [
      "[base]",
      "id = 3",
      'name = "broken"',
      "vm_type = 1",
      "cpu_num = 0",
      "phys_cpu_ids = [0]",
    ].join("\n");
    await page.locator("#toml").fill(text);
    const marked = page.locator('.editor .gutter .error[data-line="5"]');
    await expect.poll(() => marked.count(), POLL).toBe(1);
    expect(await marked.getAttribute("title")).toMatch(/cpu_num/);
    const problem = page.locator('#problems li[data-line="5"]');
    expect(await problem.textContent()).toMatch(/^line 5: \[base\]\.cpu_num: /);
    await page.locator("#create").click();
    await expect.poll(() => page.locator("#create-result").textContent(), POLL).toMatch(/problem/);
  });

  it("the plots move: data points grow while the demo runs", async () => {
    const before = await page.evaluate(() => axvisor.plotPoints());
    await expect
      .poll(() => page.evaluate(() => axvisor.plotPoints()), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(before + 3);
    expect(await page.locator("#plots canvas").count()).toBe(3);
    await page.screenshot({ path: join(artifacts, "demo.png") });
  });

  it("boots guests from files given by the file picker: an image, and a FAT32 disk (fs)", async () => {
    const demo = readFileSync(join(webRoot, "../../guests/riscv64/demo/demo.bin"));
    const fat = new MemoryImage(Math.ceil(minimumVolumeBytes(1) / (1 << 20)) << 20);
    createFat32(fat, { sizeBytes: fat.size, files: [{ path: "/boot/demo.bin", data: demo }] });
    // Given as files on disk, as a user picks them (chromium reads them itself).
    const picked = join(out, "picked.bin");
    const disk = join(out, "boot.img");
    writeFileSync(picked, demo);
    writeFileSync(disk, fat.bytes);
    const t0 = performance.now();
    await page.locator("#file-input").setInputFiles([picked, disk]);
    await expect.poll(() => page.locator("#files li").count(), POLL).toBe(2);
    await page.locator('#files li:has-text("boot.img") button').click();
    await expect
      .poll(() => page.locator("#log").textContent())
      .toContain("boot.img is the fs disk");
    console.log(`files picked in ${(performance.now() - t0).toFixed(0)} ms`);

    const preset = readFileSync(
      join(webRoot, "../../configs/vms/demo-riscv64-qemu-smp2.toml"),
      "utf8",
    );
    const config = (id: number, name: string, kernel: string) =>
      preset
        .replace(/^id = \d+/m, `id = ${id}`)
        .replace(/^name = ".*"/m, `name = "${name}"`)
        .replace(/^kernel_path = ".*"/m, kernel);
    for (const [id, name, kernel] of [
      [7, "picked", 'kernel_path = "/files/picked.bin"'],
      [8, "from-fat", 'image_location = "fs"\nkernel_path = "/boot/demo.bin"'],
    ] as const) {
      await page
        .locator("#toml")
        .fill(config(id, name, kernel).replace(/^image_location = "memory"\n/m, ""));
      expect(await page.locator("#problems li").count()).toBe(0);
      await page.locator("#create").click();
      await expect
        .poll(() => page.locator("#create-result").textContent())
        .toBe(`VM ${id} created`);
      await page.evaluate((i) => axvisor.waitFor(i, "DEMO-READY", 30_000), id);
    }
    for (const id of [7, 8]) {
      await page.locator(`#vm-list tr[data-vm="${id}"] button[data-op="delete"]`).click();
    }
    await expect.poll(() => page.evaluate(() => axvisor.vms().map((v) => v.id))).toEqual([1]);
  });

  it("the built site works from a file server without the isolation headers (service worker)", async () => {
    const plain = await serveSite(out, { headers: false });
    const other = await context.newPage();
    try {
      await other.goto(plain.url);
      await other.waitForFunction(() => crossOriginIsolated === true, undefined, {
        timeout: 20_000,
      });
      await other.evaluate(() => axvisor.waitFor(1, "DEMO-READY", 30_000));
    } finally {
      await other.close();
      plain.server.close();
    }
  });

  it.skipIf(linuxSkip !== undefined)(
    "U-Boot from ../shared/guests reaches its prompt and answers version",
    async () => {
      await page.locator('#presets button[data-preset="uboot"]').click();
      await expect
        .poll(() => page.evaluate(() => axvisor.vms().map((v) => v.name)), { timeout: 30_000 })
        .toContain("uboot-riscv64");
      const id = await page.evaluate(
        () => axvisor.vms().find((v) => v.name === "uboot-riscv64")?.id ?? 0,
      );
      // Stop its autoboot (its distro boot from the shared disk is not what is tested here).
      await page.evaluate((i) => axvisor.waitFor(i, "Hit any key to stop autoboot", 60_000), id);
      await type(id, " ");
      // The terminal's lines come without trailing blanks: the prompt "=> " reads "=>".
      await page.evaluate((i) => axvisor.waitFor(i, "\n=>", 20_000), id);
      await type(id, "version\r");
      await expect
        .poll(async () => (await lines(id)).some((l) => l.startsWith("U-Boot 2023.01")), {
          timeout: 10_000,
        })
        .toBe(true);
      await page.locator(`#vm-list tr[data-vm="${id}"] button[data-op="delete"]`).click();
    },
    90_000,
  );

  it.skipIf(linuxSkip !== undefined)(
    "Linux from ../shared/guests reaches GUEST-INIT-OK and answers echo SHELL-$((6*7))",
    async () => {
      await page.locator('#presets button[data-preset="linux"]').click();
      await expect
        .poll(() => page.evaluate(() => axvisor.vms().map((v) => v.name)), { timeout: 30_000 })
        .toContain("linux-riscv64");
      const id = await page.evaluate(
        () => axvisor.vms().find((v) => v.name === "linux-riscv64")?.id ?? 0,
      );
      const ms = await page.evaluate((i) => axvisor.waitFor(i, "GUEST-INIT-OK", 240_000), id);
      const init = (await lines(id)).find((l) => l.includes("GUEST-INIT-OK")) ?? "";
      console.log(`Linux in chromium: ${(ms / 1000).toFixed(1)} s from create to: ${init}`);
      await type(id, "echo SHELL-$((6*7))\r");
      await expect.poll(() => lines(id), { timeout: 20_000 }).toContain("SHELL-42");
      await page.screenshot({ path: join(artifacts, "linux.png") });
    },
    300_000,
  );
});

import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";
import { loadVmImages } from "../images/load-vm-images.js";
import { pattern, writeConfig } from "../images/test-images.fixture.js";
import { makeTestVm, readGuest } from "../images/test-vm.fixture.js";
import type { CliIo } from "../io.js";

const MiB = 1024 * 1024;

function capture() {
  const out: Uint8Array[] = [];
  const err: string[] = [];
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const io: CliIo = {
    stdout: { write: (d) => out.push(typeof d === "string" ? enc.encode(d) : new Uint8Array(d)) },
    stderr: { write: (d) => err.push(typeof d === "string" ? d : dec.decode(d)) },
    env: {},
  };
  const bytes = () => {
    const all = new Uint8Array(out.reduce((n, b) => n + b.length, 0));
    let off = 0;
    for (const b of out) {
      all.set(b, off);
      off += b.length;
    }
    return all;
  };
  return { io, bytes, out: () => dec.decode(bytes()), err: () => err.join("") };
}

async function axvisor(...argv: string[]) {
  const c = capture();
  const status = await runCli(argv, c.io);
  return { status, out: c.out(), err: c.err(), bytes: c.bytes() };
}

const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
const hasFsck = has("fsck.fat");
const hasMtools = has("mtype") && has("mdir");
if (!hasFsck)
  console.log("skipped fsck.fat checks: dosfstools not installed (apt-get install dosfstools)");
if (!hasMtools) console.log("skipped mtools checks: mtools not installed (apt-get install mtools)");

function fsck(path: string): void {
  const r = spawnSync("fsck.fat", ["-n", path], { encoding: "utf8" });
  expect(r.status, `fsck.fat -n ${path}:\n${r.stdout}${r.stderr}`).toBe(0);
}

/** The FAT32 partition of an MBR image as its own file (fsck.fat has no offset option). */
function extractPartition(img: string): string {
  const bytes = readFileSync(img);
  const start = bytes.readUInt32LE(446 + 8) * 512;
  const count = bytes.readUInt32LE(446 + 12) * 512;
  const out = `${img}.part`;
  writeFileSync(out, bytes.subarray(start, start + count));
  return out;
}

function hostTree(): string {
  const dir = mkdtempSync(join(tmpdir(), "disk-img-"));
  writeFileSync(join(dir, "Image"), pattern(300_001, 1));
  writeFileSync(join(dir, "initramfs.cpio.gz"), pattern(70_000, 2));
  writeFileSync(join(dir, "extlinux.conf"), "label linux\n  kernel /Image\n");
  mkdirSync(join(dir, "tests/deep"), { recursive: true });
  writeFileSync(join(dir, "tests/a.bin"), pattern(10, 3));
  writeFileSync(join(dir, "tests/deep/Long File Name.txt"), "hello\n");
  return dir;
}

describe("axvisor disk-img create", () => {
  for (const partition of ["none", "mbr"] as const) {
    it(`makes an image fsck.fat and mtools accept (--partition ${partition})`, async () => {
      const dir = hostTree();
      const img = join(dir, `out-${partition}.img`);
      const r = await axvisor(
        "disk-img",
        "create",
        img,
        "--size",
        "40M",
        "--partition",
        partition,
        "--label",
        "guest",
        "--add",
        join(dir, "Image"),
        "--add",
        `${join(dir, "initramfs.cpio.gz")}:/initrd.gz`,
        "--add",
        `${join(dir, "extlinux.conf")}:extlinux/`,
        "--add",
        `${join(dir, "tests")}:/bench`,
      );
      expect(r.err).toBe("");
      expect(r.status).toBe(0);
      expect(r.out).toMatch(
        new RegExp(
          `^${img}: 40 MiB, FAT32 ${partition === "mbr" ? "in an MBR partition at 1 MiB" : "\\(whole disk\\)"}, label GUEST, 5 files \\(370045 bytes\\), \\d+ of \\d+ 512-byte clusters used\\n$`,
        ),
      );
      expect(readFileSync(img).length).toBe(40 * MiB);
      expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);

      const listing = await axvisor("disk-img", "list", img, "-r");
      expect(listing.out).toBe(
        [
          "300001  /Image",
          " 70000  /initrd.gz",
          "     -  /extlinux/",
          "    28  /extlinux/extlinux.conf",
          "     -  /bench/",
          "    10  /bench/a.bin",
          "     -  /bench/deep/",
          "     6  /bench/deep/Long File Name.txt",
          "",
        ].join("\n"),
      );
      const cat = await axvisor("disk-img", "cat", img, "/EXTLINUX/extlinux.conf");
      expect(cat.out).toBe("label linux\n  kernel /Image\n");
      expect((await axvisor("disk-img", "cat", img, "Image")).bytes).toEqual(pattern(300_001, 1));

      if (hasFsck) fsck(partition === "mbr" ? extractPartition(img) : img);
      if (hasMtools) {
        const at = partition === "mbr" ? `${img}@@1M` : img;
        const t = spawnSync("mtype", ["-i", at, "::/bench/deep/Long File Name.txt"], {
          encoding: "utf8",
        });
        expect(t.stdout).toBe("hello\n");
        const d = spawnSync("mdir", ["-i", at, "-b", "::/"], { encoding: "utf8" });
        expect(
          d.stdout
            .split("\n")
            .filter((l) => l.length > 0)
            .sort(),
        ).toEqual(["::/Image", "::/bench/", "::/extlinux/", "::/initrd.gz"]);
      }
    });
  }

  it("makes images a VM config loads with image_location = fs", async () => {
    const dir = hostTree();
    const img = join(dir, "boot.img");
    const r = await axvisor(
      "disk-img",
      "create",
      img,
      "--size",
      "34M",
      "--partition",
      "mbr",
      "--add",
      `${join(dir, "Image")}:/boot/Image`,
      "--add",
      `${join(dir, "initramfs.cpio.gz")}:/boot/initrd`,
    );
    expect(r.err).toBe("");
    if (hasFsck) fsck(extractPartition(img));
    const config = writeConfig(dir, {
      kernel: `entry_point = 0x8020_0000
image_location = "fs"
kernel_path = "/boot/Image"
kernel_load_addr = 0x8020_0000
ramdisk_path = "/boot/initrd"
ramdisk_load_addr = 0x8080_0000
disk_path = "boot.img"`,
    });
    const vm = makeTestVm(config);
    const loaded = loadVmImages(vm, config);
    expect(loaded.kernel.file).toBe(`${img}:/boot/Image`);
    expect(readGuest(vm, 0x8020_0000, 300_001)).toEqual(pattern(300_001, 1));
    expect(readGuest(vm, 0x8080_0000, 70_000)).toEqual(pattern(70_000, 2));
  });

  it("says the minimum size when --size is too small for FAT32", async () => {
    const dir = hostTree();
    const small = await axvisor("disk-img", "create", join(dir, "x.img"), "--size", "32M");
    expect(small.status).toBe(2);
    expect(small.err).toBe(
      "axvisor: --size 32 MiB is too small for FAT32, which needs at least 65525 clusters: the minimum is 34093568 bytes (--size 33M)\n",
    );
    const mbr = await axvisor(
      "disk-img",
      "create",
      join(dir, "x.img"),
      "--size",
      "33M",
      "--partition",
      "mbr",
    );
    expect(mbr.err).toBe(
      "axvisor: --size 33 MiB is too small for FAT32, which needs at least 65525 clusters: the minimum is 35142144 bytes (--size 34M) with --partition mbr\n",
    );
    expect(existsSync(join(dir, "x.img"))).toBe(false);
    // The minimum itself works, and fsck.fat agrees it is FAT32.
    const ok = await axvisor("disk-img", "create", join(dir, "min.img"), "--size", "34093568");
    expect(ok.status).toBe(0);
    if (hasFsck) fsck(join(dir, "min.img"));
  });

  it("gives clear errors for bad input and leaves nothing behind", async () => {
    const dir = hostTree();
    const img = join(dir, "e.img");
    const err = async (...args: string[]) => {
      const r = await axvisor("disk-img", "create", img, "--size", "40M", ...args);
      expect(r.status).toBe(2);
      return r.err;
    };
    expect(await err("--add", join(dir, "missing.bin"))).toBe(
      `axvisor: --add ${join(dir, "missing.bin")}: cannot read host file ${join(dir, "missing.bin")}: no such file or folder\n`,
    );
    expect(
      await err("--add", `${join(dir, "Image")}:/k`, "--add", `${join(dir, "extlinux.conf")}:/K`),
    ).toBe(
      `axvisor: /K is added twice, by --add ${join(dir, "Image")}:/k and --add ${join(dir, "extlinux.conf")}:/K (FAT names ignore case: /k, /K)\n`,
    );
    expect(
      await err(
        "--add",
        `${join(dir, "Image")}:/boot`,
        "--add",
        `${join(dir, "extlinux.conf")}:/boot/x`,
      ),
    ).toBe(
      `axvisor: /boot is a file (--add ${join(dir, "Image")}:/boot) but --add ${join(dir, "extlinux.conf")}:/boot/x puts /boot/x inside it\n`,
    );
    expect(await err("--add", `${join(dir, "Image")}:/a*b`)).toBe(
      'axvisor: "a*b" is not a valid FAT file name\n',
    );
    expect(await err("--label", "way too long label")).toBe(
      'axvisor: volume label must be up to 11 of A-Z 0-9 space _ -: "way too long label"\n',
    );
    expect(await err("--partition", "gpt")).toBe(
      'axvisor: --partition: expected "mbr" or "none", got "gpt"\n',
    );
    expect((await axvisor("disk-img", "create", img, "--size", "lots")).err).toBe(
      'axvisor: --size: bad size "lots" (examples: 64M, 1G, 67108864)\n',
    );
    expect((await axvisor("disk-img", "create", img)).err).toContain(
      "required option '--size <SIZE>' not specified",
    );
    expect(existsSync(img)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("refuses files that do not fit, and never replaces an image without --force", async () => {
    const dir = hostTree();
    const big = join(dir, "big.bin");
    writeFileSync(big, new Uint8Array(36 * MiB));
    const img = join(dir, "f.img");
    const r = await axvisor("disk-img", "create", img, "--size", "34M", "--add", big);
    expect(r.err).toBe(
      "axvisor: the files (1, 36 MiB) do not fit in a 34 MiB FAT32 image; give a larger --size\n",
    );
    expect(existsSync(img)).toBe(false);

    expect((await axvisor("disk-img", "create", img, "--size", "34M")).status).toBe(0);
    const again = await axvisor("disk-img", "create", img, "--size", "34M");
    expect(again.err).toBe(`axvisor: ${img} already exists (use --force to replace it)\n`);
    const forced = await axvisor(
      "disk-img",
      "create",
      img,
      "--size",
      "40M",
      "--force",
      "--add",
      join(dir, "Image"),
    );
    expect(forced.status).toBe(0);
    expect(readFileSync(img).length).toBe(40 * MiB);
  });
});

describe("axvisor disk-img list and cat", () => {
  const SHARED = fileURLToPath(
    new URL("../../../../../shared/guests/disk-riscv64.img", import.meta.url),
  );
  const shared = existsSync(SHARED);
  if (!shared) console.log(`skipped the shared-disk listing: ${SHARED} not present`);

  it.skipIf(!shared)("reads the shared guest disk (mkfs.fat + mcopy, MBR)", async () => {
    const root = await axvisor("disk-img", "list", SHARED);
    // Sizes from shared/guests/README.md.
    expect(root.out).toContain("4068352  /Image\n");
    expect(root.out).toContain(" 953961  /initrd.gz\n");
    expect(root.out).toContain("      -  /extlinux/\n");
    const conf = await axvisor("disk-img", "cat", SHARED, "/extlinux/extlinux.conf");
    expect(conf.out).toContain("kernel /Image");
    expect(conf.out).toContain("initrd /initrd.gz");
    const one = await axvisor("disk-img", "list", SHARED, "/bench/bench.bin");
    expect(one.out).toBe("128  /bench/bench.bin\n");
  });

  it("names the image and the path in errors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "disk-img-"));
    const img = join(dir, "l.img");
    expect((await axvisor("disk-img", "create", img, "--size", "34M")).status).toBe(0);
    const missing = await axvisor("disk-img", "cat", img, "/nope");
    expect(missing.status).toBe(2);
    expect(missing.err).toBe(`axvisor: ${img}: "/nope" does not exist in the FAT32 image\n`);
    const noImg = await axvisor("disk-img", "list", join(dir, "none.img"));
    expect(noImg.err).toBe(
      `axvisor: cannot open the disk image ${join(dir, "none.img")}: no such file\n`,
    );
    writeFileSync(join(dir, "junk.img"), pattern(1024));
    const junk = await axvisor("disk-img", "list", join(dir, "junk.img"));
    expect(junk.err).toMatch(
      new RegExp(`^axvisor: ${join(dir, "junk.img")}: no FAT32 file system`),
    );
  });
});

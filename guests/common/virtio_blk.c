#include "virtio_blk.h"
#include "barrier.h"

#define REG(off) (*(volatile unsigned *)(dev_base + (off)))
#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INTERRUPT_STATUS 0x060
#define INTERRUPT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4
#define CONFIG 0x100

#define STATUS_ACKNOWLEDGE 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define QUEUE_SIZE 8

struct desc {
    unsigned long addr;
    unsigned len;
    unsigned short flags;
    unsigned short next;
};

struct avail {
    unsigned short flags;
    unsigned short idx;
    unsigned short ring[QUEUE_SIZE];
};

struct used_elem {
    unsigned id;
    unsigned len;
};

struct used {
    unsigned short flags;
    unsigned short idx;
    struct used_elem ring[QUEUE_SIZE];
};

struct blk_req {
    unsigned type;
    unsigned reserved;
    unsigned long sector;
};

static unsigned long dev_base;
static unsigned long capacity;
static volatile struct desc descs[QUEUE_SIZE] __attribute__((aligned(16)));
static volatile struct avail avail __attribute__((aligned(4)));
static volatile struct used used __attribute__((aligned(4)));
static volatile struct blk_req req;
static volatile unsigned char req_status;
static unsigned short last_used;

int virtio_probe(unsigned long base) {
    dev_base = base;
    if (REG(MAGIC) != 0x74726976) return -1;
    return (int)REG(DEVICE_ID);
}

int virtio_blk_init(unsigned long base) {
    dev_base = base;
    if (REG(MAGIC) != 0x74726976) return -1;
    if (REG(VERSION) != 2) return -2;
    if (REG(DEVICE_ID) != 2) return -3;
    REG(STATUS) = 0;
    REG(STATUS) = STATUS_ACKNOWLEDGE;
    REG(STATUS) = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
    REG(DEVICE_FEATURES_SEL) = 1;
    if ((REG(DEVICE_FEATURES) & 1) == 0) return -4; /* VIRTIO_F_VERSION_1 is feature bit 32 */
    REG(DRIVER_FEATURES_SEL) = 1;
    REG(DRIVER_FEATURES) = 1;
    REG(DRIVER_FEATURES_SEL) = 0;
    REG(DRIVER_FEATURES) = 0;
    REG(STATUS) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK;
    if ((REG(STATUS) & STATUS_FEATURES_OK) == 0) return -5;
    REG(QUEUE_SEL) = 0;
    if (REG(QUEUE_NUM_MAX) < QUEUE_SIZE) return -6;
    REG(QUEUE_NUM) = QUEUE_SIZE;
    REG(QUEUE_DESC_LOW) = (unsigned)(unsigned long)descs;
    REG(QUEUE_DESC_HIGH) = (unsigned)((unsigned long)descs >> 32);
    REG(QUEUE_DRIVER_LOW) = (unsigned)(unsigned long)&avail;
    REG(QUEUE_DRIVER_HIGH) = (unsigned)((unsigned long)&avail >> 32);
    REG(QUEUE_DEVICE_LOW) = (unsigned)(unsigned long)&used;
    REG(QUEUE_DEVICE_HIGH) = (unsigned)((unsigned long)&used >> 32);
    REG(QUEUE_READY) = 1;
    REG(STATUS) = STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK;
    capacity = (unsigned long)REG(CONFIG) | ((unsigned long)REG(CONFIG + 4) << 32);
    last_used = used.idx;
    return 0;
}

unsigned long virtio_blk_capacity(void) { return capacity; }

int virtio_blk_read(unsigned long sector, unsigned char *buf) {
    if (!dev_base) return -1;
    req.type = 0; /* VIRTIO_BLK_T_IN */
    req.reserved = 0;
    req.sector = sector;
    req_status = 0xff;
    descs[0].addr = (unsigned long)&req;
    descs[0].len = sizeof(req);
    descs[0].flags = DESC_F_NEXT;
    descs[0].next = 1;
    descs[1].addr = (unsigned long)buf;
    descs[1].len = 512;
    descs[1].flags = DESC_F_NEXT | DESC_F_WRITE;
    descs[1].next = 2;
    descs[2].addr = (unsigned long)&req_status;
    descs[2].len = 1;
    descs[2].flags = DESC_F_WRITE;
    descs[2].next = 0;
    avail.ring[avail.idx % QUEUE_SIZE] = 0;
    io_barrier();
    avail.idx = avail.idx + 1;
    io_barrier();
    REG(QUEUE_NOTIFY) = 0;
    for (unsigned long spin = 0; used.idx == last_used; spin++) {
        if (spin > 100000000UL) return -2;
    }
    io_barrier();
    last_used = used.idx;
    REG(INTERRUPT_ACK) = REG(INTERRUPT_STATUS);
    return req_status == 0 ? 0 : -3;
}

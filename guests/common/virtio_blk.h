/* A polling virtio-blk driver for the virtio-mmio transport, version 2 (virtio 1.x). */
#ifndef VIRTIO_BLK_H
#define VIRTIO_BLK_H

/* Returns 0 when a block device was found and initialised at `base`; a negative code names the step that failed. */
int virtio_blk_init(unsigned long base);
/* Reads one 512-byte sector into `buf`; returns 0, or a negative code. */
int virtio_blk_read(unsigned long sector, unsigned char *buf);
unsigned long virtio_blk_capacity(void);
/* Probes a virtio-mmio slot: returns its device id (0 = empty slot), or -1 when it is not virtio. */
int virtio_probe(unsigned long base);

#endif

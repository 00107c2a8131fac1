/*
 * bench:interop-explain, variant "rcvbuf": preloaded into charon (/etc/ld.so.preload in the strongSwan
 * containers of the variant's lab only), this gives every UDP socket charon binds a receive buffer of
 * RCVBUF bytes. strongSwan 5.9.8 has no setting for its sockets' buffers, and net.core.rmem_default is
 * not per network namespace on this kernel (a container cannot set it, and changing it on the host would
 * change every socket of the machine). The kernel caps the request at net.core.rmem_max and doubles it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/socket.h>

#ifndef RCVBUF
#define RCVBUF (4 * 1024 * 1024)
#endif

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	static int (*real_bind)(int, const struct sockaddr *, socklen_t);
	int type = 0, size = RCVBUF;
	socklen_t type_len = sizeof(type);

	if (!real_bind)
		real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) == 0 && type == SOCK_DGRAM)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return real_bind(fd, addr, len);
}

/* flood: small UDP packets as fast as one core sends them, for
 * bench/flows_lab.py (packets per second through the lab router, with and
 * without flow marking). The far end counts them in the kernel.
 *
 * usage: flood HOST PORT SECONDS SIZE PORTS
 *   PORTS 1: one flow (an established connection's packets);
 *   PORTS N: the destination port cycles over N ports from PORT, so most
 *            packets start a new conntrack entry (the cost of marking a
 *            new flow) once N exceeds what the batch reuses.
 * Prints {"sent": N, "seconds": S, "pps": X, "cpu_ns_per_packet": C}: C is
 * this process's user + system CPU time per packet. The kernel here counts
 * softirq time to the task it interrupted (no IRQ_TIME_ACCOUNTING), and the
 * lab's veths forward each packet through the router, the ISP and into the
 * internet namespace in the sender's own softirq, so C is the whole path's
 * CPU cost per packet: unlike pps, hardly moved by other work on the
 * machine. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: flood HOST PORT SECONDS SIZE PORTS\n");
		return 2;
	}
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *ai;
	if (getaddrinfo(argv[1], argv[2], &hints, &ai) != 0) {
		fprintf(stderr, "flood: bad address %s\n", argv[1]);
		return 2;
	}
	int port = atoi(argv[2]), ports = atoi(argv[5]);
	double secs = atof(argv[3]);
	size_t size = (size_t)atoi(argv[4]);
	if (ports < 1 || port < 1 || port + ports > 65536 || size < 1 || size > 1400 || secs <= 0) {
		fprintf(stderr, "flood: bad arguments\n");
		return 2;
	}
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	static char payload[1400];
	struct sockaddr_storage dst[BATCH];
	struct mmsghdr msg[BATCH];
	struct iovec iov = { payload, size };
	memset(msg, 0, sizeof(msg));
	for (int i = 0; i < BATCH; i++) {
		memcpy(&dst[i], ai->ai_addr, ai->ai_addrlen);
		msg[i].msg_hdr.msg_name = &dst[i];
		msg[i].msg_hdr.msg_namelen = ai->ai_addrlen;
		msg[i].msg_hdr.msg_iov = &iov;
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	unsigned long long sent = 0, next = 0;
	double t0 = now_s(), t = t0;
	while (t - t0 < secs) {
		for (int i = 0; i < BATCH; i++) {
			uint16_t p = htons((uint16_t)(port + (int)(next++ % (unsigned long long)ports)));
			if (ai->ai_family == AF_INET6)
				((struct sockaddr_in6 *)&dst[i])->sin6_port = p;
			else
				((struct sockaddr_in *)&dst[i])->sin_port = p;
		}
		int n = sendmmsg(fd, msg, BATCH, 0);
		if (n > 0)
			sent += (unsigned long long)n;
		t = now_s();
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		     (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	printf("{\"sent\": %llu, \"seconds\": %.3f, \"pps\": %.0f, \"cpu_ns_per_packet\": %.1f}\n",
	       sent, t - t0, (double)sent / (t - t0), sent ? cpu * 1e9 / (double)sent : 0.0);
	freeaddrinfo(ai);
	close(fd);
	return 0;
}

// The bulk benchmark's floor (scripts/bench.d/bulk): what this machine itself costs for N requests
// at concurrency C over loopback when the server holds each one for a fixed latency. No media, no
// database, no HTTP library: a thread per connection on both sides, the server sleeping
// (clock_nanosleep) for the latency before a fixed 204, the client sending keep-alive
// `DELETE /x HTTP/1.1` requests. Its time over the bound (⌈N/C⌉ × latency) is the loopback, the
// scheduler and the sleep's overshoot; whatever media-server and a client take beyond that is
// theirs, not the machine's.
//
//   latency-floor serve LATENCY_MS               serves on a free 127.0.0.1 port, prints "port P", until killed
//   latency-floor run PORT REQUESTS CONCURRENCY  prints "seconds S" and "answered N"
//
// Build: cc -O2 -pthread -o latency-floor latency-floor.c
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct timespec hold;
static atomic_long left, answered;
static int port;

// Reads one request or answer head (neither side sends a body); 0 at end of stream.
static int read_head(int fd) {
    char buffer[1024];
    int filled = 0;
    while (filled < 4 || memcmp(buffer + filled - 4, "\r\n\r\n", 4) != 0) {
        if (filled == (int)sizeof buffer) return 0;
        ssize_t n = read(fd, buffer + filled, sizeof buffer - filled);
        if (n <= 0) return 0;
        filled += (int)n;
    }
    return 1;
}

static int write_all(int fd, const char *text) {
    size_t length = strlen(text), done = 0;
    while (done < length) {
        ssize_t n = write(fd, text + done, length - done);
        if (n <= 0) return 0;
        done += (size_t)n;
    }
    return 1;
}

static struct sockaddr_in loopback(void) {
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

static void *serve_connection(void *argument) {
    int fd = (int)(long)argument;
    while (read_head(fd)) {
        clock_nanosleep(CLOCK_MONOTONIC, 0, &hold, NULL);
        if (!write_all(fd, "HTTP/1.1 204 No Content\r\n\r\n")) break;
    }
    close(fd);
    return NULL;
}

static void *client_connection(void *argument) {
    (void)argument;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in address = loopback();
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("latency-floor: connect"); exit(1); }
    while (atomic_fetch_sub(&left, 1) > 0) {
        if (!write_all(fd, "DELETE /x HTTP/1.1\r\nHost: floor\r\n\r\n") || !read_head(fd)) {
            fprintf(stderr, "latency-floor: the server closed the connection\n");
            exit(1);
        }
        atomic_fetch_add(&answered, 1);
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "serve") == 0) {
        long milliseconds = atol(argv[2]);
        hold.tv_sec = milliseconds / 1000;
        hold.tv_nsec = (milliseconds % 1000) * 1000000L;
        int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in address = loopback();
        if (bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 1024) != 0) {
            perror("latency-floor: listen");
            return 1;
        }
        socklen_t length = sizeof address;
        getsockname(listener, (struct sockaddr *)&address, &length);
        printf("port %d\n", ntohs(address.sin_port));
        fflush(stdout);
        for (;;) {
            int fd = accept(listener, NULL, NULL);
            if (fd < 0) continue;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            pthread_t thread;
            if (pthread_create(&thread, NULL, serve_connection, (void *)(long)fd) != 0) { close(fd); continue; }
            pthread_detach(thread);
        }
    }
    if (argc == 5 && strcmp(argv[1], "run") == 0) {
        port = atoi(argv[2]);
        long requests = atol(argv[3]);
        int concurrency = atoi(argv[4]);
        if (requests < 1 || concurrency < 1 || concurrency > 1024) { fprintf(stderr, "latency-floor: bad counts\n"); return 2; }
        atomic_store(&left, requests);
        pthread_t threads[1024];
        struct timespec began, ended;
        clock_gettime(CLOCK_MONOTONIC, &began);
        for (int i = 0; i < concurrency; i++) pthread_create(&threads[i], NULL, client_connection, NULL);
        for (int i = 0; i < concurrency; i++) pthread_join(threads[i], NULL);
        clock_gettime(CLOCK_MONOTONIC, &ended);
        printf("seconds %.3f\n", (double)(ended.tv_sec - began.tv_sec) + (double)(ended.tv_nsec - began.tv_nsec) / 1e9);
        printf("answered %ld\n", atomic_load(&answered));
        return atomic_load(&answered) == requests ? 0 : 1;
    }
    fprintf(stderr, "usage: latency-floor serve LATENCY_MS | run PORT REQUESTS CONCURRENCY\n");
    return 2;
}

/*
 * SmingCore.h: a stand-in for the few Sming framework pieces the sample's
 * application uses (Serial, F(), _F(), init()), so that the application
 * builds and runs unchanged on a plain host. Nothing of rBPF is here: the
 * application gets that from rbpf's own <rbpf.h> and <bpf.h>.
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>

#define SERIAL_BAUD_RATE 115200
#define F(text) (text)
#define _F(text) (text)

/* Serial: Sming's Print interface, writing to stdout. */
class HostSerial
{
public:
    void begin(unsigned baud)
    {
        (void)baud;
    }
    void systemDebugOutput(bool enable)
    {
        (void)enable;
    }
    void print(const char* text)
    {
        fputs(text, stdout);
    }
    void print(char c)
    {
        fputc(c, stdout);
    }
    void print(int value)
    {
        printf("%d", value);
    }
    void print(unsigned value)
    {
        printf("%u", value);
    }
    void print(long value)
    {
        printf("%ld", value);
    }
    void print(unsigned long value)
    {
        printf("%lu", value);
    }
    void print(long long value)
    {
        printf("%lld", value);
    }
    void print(unsigned long long value)
    {
        printf("%llu", value);
    }
    template <class T> void println(const T& value)
    {
        print(value);
        println();
    }
    void println()
    {
        fputs("\r\n", stdout);
    }
};

extern HostSerial Serial;

/* The application's entry point, called once at start-up. */
void init();

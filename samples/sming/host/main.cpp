/* main.cpp: runs the Sming application's init() on a plain host, as the
 * framework would at start-up (stand-in, with SmingCore.h). */
#include "SmingCore.h"

HostSerial Serial;

int main()
{
    init();
    return fflush(stdout) == 0 ? 0 : 1;
}

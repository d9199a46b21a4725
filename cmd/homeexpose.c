/* SPDX-License-Identifier: MIT */
#include <stdio.h>
int main(void)
{
	puts("homeexpose");
	return 0;
}

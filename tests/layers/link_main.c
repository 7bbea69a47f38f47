// SPDX-License-Identifier: MIT
/*
 * The program each layer's link check is built from (tests/layers/
 * meson.build): the layer's library is linked whole against only the
 * layers below it, so one call to a function of a higher layer leaves an
 * undefined reference and fails the build. It never runs.
 */
int main(void)
{
	return 0;
}

/* The floor for a one-shot check: exec'ing a static program that does
 * nothing. bench-dnsprobe compares dnsprobe's CPU per check with this. */
int main(void)
{
	return 0;
}

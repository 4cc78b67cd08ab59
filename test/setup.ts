import { Testing } from "cdktf";

// Registers cdktf's jest matchers (toHaveResourceWithProperties, toMatchSnapshot for stacks, …).
Testing.setupJest();

import { render } from "preact";
// Shared styles first: page styles (imported by their pages) come later and may refine them.
import "./styles/base.css";
import "./ui/ui.css";
import { App } from "./app";

render(<App />, document.getElementById("app")!);

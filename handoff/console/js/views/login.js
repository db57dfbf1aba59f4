// The login form: one request, a clear message on failure, and the password never kept.

export function bindLogin({ doc, rest, onLoggedIn }) {
  const form = doc.getElementById("login-form");
  const error = doc.getElementById("login-error");
  const submit = doc.getElementById("login-submit");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    error.hidden = true;
    if (!username || !password) {
      error.textContent = "Enter your username and password.";
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    try {
      const login = await rest.login(username, password);
      form.elements.password.value = "";
      await onLoggedIn(login);
    } catch (failure) {
      error.textContent = failure.code === "not_authenticated" ? "Wrong username or password." : failure.message;
      error.hidden = false;
      form.elements.password.focus();
    } finally {
      submit.disabled = false;
    }
  });
}

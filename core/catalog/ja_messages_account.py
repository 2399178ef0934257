"""Japanese translations for staff account security (merged by core/catalog/make_messages.py)."""

JA = {
    "Second factor": "二要素認証",
    "Your role or an administrator requires a second factor; it stays on.":
        "役割または管理者の設定により二要素認証が必要なため、オフにはできません。",
    "Your account asks for a code from your authenticator app at every sign-in.":
        "このアカウントでは、ログインのたびに認証アプリのコードを入力します。",
    "Turn off the second factor": "二要素認証をオフにする",
    "Your role or an administrator requires a second factor, so it cannot be turned off.":
        "役割または管理者の設定により二要素認証が必要なため、オフにはできません。",
    "A second factor protects your account even if your password leaks. Scan this code with an authenticator app (for example Google Authenticator, Microsoft Authenticator or 1Password), then enter the six-digit code it shows. From then on you will be asked for a code at every sign-in.":
        "二要素認証を設定すると、パスワードが漏れてもアカウントを守れます。認証アプリ（Google Authenticator、Microsoft Authenticator、1Password など）でこのコードを読み取り、表示された6桁のコードを入力してください。以後、ログインのたびにコードを入力します。",
    "On: a code from your authenticator app is asked at every sign-in.":
        "オン：ログインのたびに認証アプリのコードを入力します。",
    "Off. Add a code from an authenticator app to your sign-in for more safety.":
        "オフ：認証アプリのコードをログインに加えると、より安全になります。",
    "Manage the second factor": "二要素認証の設定",
}

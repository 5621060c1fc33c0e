@CSW-PRI-6
Feature: Strangers see nothing of the child
  Accounts of the platform that are not the child's guardian or approved
  friends cannot see where the child is, open the child's profile, or read
  the child's posts: neither a member of the public without an account, nor a
  stranger signed in to the platform, nor another child's account (a
  classmate who is not the child's friend).

  Scenario: A stranger cannot locate the child
    Given a watch bound to its guardian
    When the guardian tries to locate the child
    Then the watch allows it
    When a stranger tries to locate the child
    Then the watch refuses

  Scenario: A stranger cannot open the child's profile
    Given a watch bound to its guardian
    When the guardian tries to open the child's profile
    Then the watch allows it
    When a stranger tries to open the child's profile
    Then the watch refuses

  Scenario Outline: A stranger signed in to the platform cannot <what>
    Given a watch bound to its guardian
    And a stranger has an account on the platform
    When the stranger with the account tries to <what>
    Then the watch refuses

    Examples:
      | what                     |
      | locate the child         |
      | open the child's profile |

  Scenario Outline: A classmate who is not the child's friend cannot <what>
    Given a watch bound to its guardian
    And a classmate who is not the child's friend has an account on the platform
    When the classmate tries to <what>
    Then the watch refuses

    Examples:
      | what                     |
      | locate the child         |
      | open the child's profile |

  @needs_social_feed
  Scenario Outline: The feed <reader> reads holds none of the child's posts
    Given a watch bound to its guardian
    And the child has posted "Our class went to the zoo today"
    And a stranger has an account on the platform
    When <reader> reads the feed
    Then the stranger's feed holds none of the child's posts

    Examples:
      | reader                        |
      | the stranger                  |
      | a stranger without an account |

  Scenario Outline: <who> can do nothing the guardian does
    Given a watch bound to its guardian
    And a stranger has an account on the platform
    When <who> tries every guardian operation
    Then the watch refuses every one of them
    And the watch is still bound to its guardian

    Examples:
      | who                           |
      | a stranger without an account |
      | the stranger with the account |
